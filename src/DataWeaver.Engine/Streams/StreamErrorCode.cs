namespace DataWeaver.Streams;

/// <summary>What went wrong in a stream framework operation; see <see cref="StreamFrameworkException.Code"/>.</summary>
public enum StreamErrorCode
{
    /// <summary>The framework was used before <see cref="IStreamFramework.StartAsync"/>.</summary>
    NotStarted,

    /// <summary>The framework was stopped or disposed.</summary>
    Stopped,

    /// <summary>The stream (topic) does not exist.</summary>
    UnknownTopic,

    /// <summary>The stream already exists with another partition count.</summary>
    TopicAlreadyExists,

    /// <summary>A partition count is out of range.</summary>
    InvalidPartitionCount,

    /// <summary>A partition does not exist in the stream.</summary>
    UnknownPartition,

    /// <summary>A message is larger than the framework's maximum message size.</summary>
    MessageTooLarge,

    /// <summary>An offset to commit lies outside what the partition holds.</summary>
    InvalidOffset,
}
