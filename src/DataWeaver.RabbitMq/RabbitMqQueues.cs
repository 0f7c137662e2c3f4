namespace DataWeaver.RabbitMq;

/// <summary>Queue declaration arguments.</summary>
internal static class RabbitMqQueues
{
    /// <summary>The arguments of a durable queue of the given type (<c>classic</c> or <c>quorum</c>).</summary>
    public static Dictionary<string, object?>? Arguments(string queueType) =>
        queueType == "quorum" ? new Dictionary<string, object?>(StringComparer.Ordinal) { ["x-queue-type"] = "quorum" } : null;
}
