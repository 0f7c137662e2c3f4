namespace DataWeaver.Records;

/// <summary>
/// Where a record sits in its source: a partition (0 for sources that have one) and an offset within it.
/// Offsets increase within a partition. What an offset counts is the source's business: a Kafka offset, a
/// byte offset in a file, an ordinal.
/// </summary>
/// <param name="Partition">The partition; 0 for unpartitioned sources.</param>
/// <param name="Offset">The offset within the partition.</param>
public readonly record struct SourcePosition(int Partition, long Offset)
{
    /// <inheritdoc />
    public override string ToString() => $"{Partition}@{Offset}";
}
