using Confluent.Kafka;
using DataWeaver.Errors;
using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>
/// Maps Kafka errors to DataWeaver's: a <see cref="StreamFrameworkException"/> with the matching
/// <see cref="StreamErrorCode"/> (message too large is a data error, the rest fatal), or, for errors librdkafka calls
/// retriable (a <see cref="KafkaRetriableException"/>, or a code librdkafka
/// retries itself: transport, timeouts, leader and coordinator moves; a group commit refused because the group moved on)
/// and not fatal, a <see cref="DataWeaverException"/> of class <see cref="ErrorClass.Transient"/> (a
/// <see cref="StreamFrameworkException"/> is always data or fatal).
/// </summary>
public static class KafkaErrors
{
    /// <summary>Maps a Kafka error.</summary>
    /// <param name="error">The error.</param>
    /// <param name="operation">What failed, for the message (for example "Produce to 'orders'").</param>
    /// <param name="topic">The topic concerned, if any.</param>
    /// <param name="partition">The partition concerned, if any.</param>
    /// <param name="inner">The Confluent exception, if any.</param>
    /// <returns>The exception to throw.</returns>
    public static DataWeaverException Map(Error error, string operation, string? topic = null, int? partition = null, Exception? inner = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var text = KafkaSecrets.Scrub($"{operation} failed: {error.Code} ({error.Reason}).");
        StreamErrorCode? code = error.Code switch
        {
            ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge => StreamErrorCode.MessageTooLarge,
            ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic => StreamErrorCode.UnknownTopic,
            ErrorCode.Local_UnknownPartition => StreamErrorCode.UnknownPartition,
            ErrorCode.TopicAlreadyExists => StreamErrorCode.TopicAlreadyExists,
            ErrorCode.InvalidPartitions => StreamErrorCode.InvalidPartitionCount,
            ErrorCode.OffsetOutOfRange => StreamErrorCode.InvalidOffset,
            _ => null,
        };
        if (code is { } known)
        {
            return new StreamFrameworkException(known, text, topic, partition);
        }

        if (!error.IsFatal && IsRetriable(error, inner))
        {
            return new DataWeaverException(ErrorClass.Transient, text, inner);
        }

        return inner is null ? new StreamFrameworkException(StreamErrorCode.Stopped, text, topic, partition) : new StreamFrameworkException(text, inner);
    }

    /// <summary>Maps a Confluent exception (see <see cref="Map(Error, string, string?, int?, Exception?)"/>).</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="operation">What failed.</param>
    /// <param name="topic">The topic concerned, if any.</param>
    /// <param name="partition">The partition concerned, if any.</param>
    /// <returns>The exception to throw.</returns>
    public static DataWeaverException Map(KafkaException exception, string operation, string? topic = null, int? partition = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Map(exception.Error, operation, topic, partition, exception);
    }

    private static bool IsRetriable(Error error, Exception? inner) =>
        inner is KafkaRetriableException || error.Code switch
        {
            ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut
                or ErrorCode.NotLeaderForPartition or ErrorCode.LeaderNotAvailable or ErrorCode.NotEnoughReplicas
                or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.NetworkException or ErrorCode.NotCoordinatorForGroup
                or ErrorCode.GroupLoadInProgress or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.Local_QueueFull
                or ErrorCode.RebalanceInProgress or ErrorCode.KafkaStorageError or ErrorCode.BrokerNotAvailable => true,

            // A commit sent just before the group moved on (a cooperative or KIP-848 rebalance keeps the member reading its
            // other partitions meanwhile): the next commit goes with the new generation or member epoch, for the
            // partitions the member still owns. (A classic member's consumer does not even get here for IllegalGeneration and
            // UnknownMemberId: it keeps such a commit for later instead, see KafkaStreamConsumer.IsRefusedBecauseTheGroupMovedOn.)
            ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.StaleMemberEpoch or ErrorCode.FencedMemberEpoch => true,
            _ => false,
        };
}
