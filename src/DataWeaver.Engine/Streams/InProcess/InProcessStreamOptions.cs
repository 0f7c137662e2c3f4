namespace DataWeaver.Streams.InProcess;

/// <summary>Options of an <see cref="InProcessStreamFramework"/>. Copied when the framework is created.</summary>
public sealed record InProcessStreamOptions
{
    /// <summary>The largest partition count of a stream.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>Gets the framework's name, used in errors.</summary>
    /// <value>The default is <c>in-process</c>.</value>
    public string Name { get; init; } = "in-process";

    /// <summary>
    /// Gets how many messages one partition holds. A full partition makes producers wait until every consumer
    /// group of the stream has committed past its oldest messages, which are then dropped. On a stream that no
    /// group has joined yet, producers wait for a group to join and commit: nothing is ever dropped unread.
    /// </summary>
    /// <value>The default is 65,536 messages; from 1 to 16,777,216.</value>
    public int PartitionCapacity { get; init; } = 65_536;

    /// <summary>
    /// Gets the largest message accepted, in bytes: key, value, and header names (UTF-8) and values.
    /// A larger message is rejected with <see cref="StreamErrorCode.MessageTooLarge"/>, a data error.
    /// </summary>
    /// <value>The default is 1 MiB (1,048,576 bytes), as Kafka's <c>message.max.bytes</c>; at least 1.</value>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>Gets the clock that stamps messages produced without a timestamp.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("InProcessStreamOptions.Name must not be empty.");
        }

        if (PartitionCapacity is < 1 or > 1 << 24)
        {
            errors.Add($"InProcessStreamOptions.PartitionCapacity must be from 1 to {1 << 24} messages (was {PartitionCapacity}).");
        }

        if (MaxMessageBytes < 1)
        {
            errors.Add($"InProcessStreamOptions.MaxMessageBytes must be at least 1 (was {MaxMessageBytes}).");
        }

        if (TimeProvider is null)
        {
            errors.Add("InProcessStreamOptions.TimeProvider must not be null.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }
}
