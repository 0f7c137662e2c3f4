using System.Diagnostics.CodeAnalysis;

namespace DataWeaver.Streams.Internal;

/// <summary>Throws the stream framework's typed errors out of line.</summary>
internal static class StreamThrowHelper
{
    [DoesNotReturn]
    public static void ThrowStopped(string topic) => throw Stopped(topic);

    public static StreamFrameworkException Stopped(string topic) =>
        new(StreamErrorCode.Stopped, $"The stream framework was stopped; stream '{topic}' can no longer be used.", topic);

    [DoesNotReturn]
    public static void ThrowUnknownPartition(string topic, int partition, int partitions) =>
        throw new StreamFrameworkException(
            StreamErrorCode.UnknownPartition,
            $"Partition {partition} does not exist in stream '{topic}', which has {partitions} partition(s) (0 to {partitions - 1}).",
            topic,
            partition);

    [DoesNotReturn]
    public static void ThrowMessageTooLarge(string topic, int partition, long size, int limit) =>
        throw new StreamFrameworkException(
            StreamErrorCode.MessageTooLarge,
            $"A message of {size} bytes for stream '{topic}' partition {partition} is above the maximum message size of {limit} bytes (InProcessStreamOptions.MaxMessageBytes).",
            topic,
            partition);

    [DoesNotReturn]
    public static void ThrowInvalidOffset(string topic, int partition, long offset, long low, long high) =>
        throw new StreamFrameworkException(
            StreamErrorCode.InvalidOffset,
            $"Offset {offset} cannot be committed for stream '{topic}' partition {partition}, which holds offsets {low} to {high} (the end included).",
            topic,
            partition);
}
