namespace DataWeaver.Streams;

/// <summary>Where a produced message was durably stored.</summary>
/// <param name="Topic">The stream.</param>
/// <param name="Partition">The partition the message went to.</param>
/// <param name="Offset">The message's offset in that partition.</param>
/// <param name="Timestamp">The message's timestamp as stored.</param>
public readonly record struct StreamDeliveryResult(string Topic, int Partition, long Offset, DateTimeOffset Timestamp);
