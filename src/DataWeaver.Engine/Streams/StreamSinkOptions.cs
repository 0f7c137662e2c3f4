namespace DataWeaver.Streams;

/// <summary>Options of a <see cref="StreamSink"/>.</summary>
public sealed record StreamSinkOptions
{
    /// <summary>
    /// Gets a value indicating whether each record goes to the partition of its
    /// <see cref="Records.Record{TValue}.Position"/> (mirroring a stream partition for partition) instead of
    /// being partitioned by key (round-robin without a key).
    /// </summary>
    /// <value>The default is <see langword="false"/>: partition by key.</value>
    public bool KeepPartition { get; init; }

    /// <summary>Gets a value indicating whether each record's timestamp is kept; otherwise the framework stamps the message.</summary>
    /// <value>The default is <see langword="true"/>. A record with the default timestamp is always stamped by the framework.</value>
    public bool KeepTimestamp { get; init; } = true;
}
