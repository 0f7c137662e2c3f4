namespace DataWeaver.Streams;

/// <summary>The offsets a partition spans.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Low">The offset of the oldest message the partition still holds.</param>
/// <param name="High">The offset the next message produced to the partition will get; <c>High - Low</c> messages are held.</param>
public readonly record struct PartitionWatermarks(int Partition, long Low, long High);
