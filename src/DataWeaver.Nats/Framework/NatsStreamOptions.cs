using System.Buffers;

namespace DataWeaver.Nats;

/// <summary>
/// Options of a <see cref="NatsStreamFramework"/>: the server, credentials, and how JetStream consumers acknowledge.
/// Immutable once the framework is created.
/// </summary>
public sealed record NatsStreamOptions
{
    private static readonly SearchValues<char> StreamNameForbidden = SearchValues.Create(" .*>/\\");
    private static readonly SearchValues<char> SubjectForbidden = SearchValues.Create(" *>");

    /// <summary>Gets the NATS server URL(s), comma-separated.</summary>
    /// <value>The default is <c>nats://127.0.0.1:4222</c>.</value>
    public string Url { get; init; } = "nats://127.0.0.1:4222";

    /// <summary>Gets the user name, or <see langword="null"/> for none.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Username { get; init; }

    /// <summary>Gets the password (a secret: never logged, never in errors).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Password { get; init; }

    /// <summary>Gets the authentication token (a secret: never logged, never in errors).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Token { get; init; }

    /// <summary>Gets the client name the server shows for the connection.</summary>
    /// <value>The default is <c>dataweaver</c>.</value>
    public string ClientName { get; init; } = "dataweaver";

    /// <summary>
    /// Gets the most messages a consumer has delivered and not yet acknowledged (JetStream's <c>max_ack_pending</c>): the
    /// server holds back the rest. Set it to the pipeline's in-flight bound (<see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/>)
    /// so that the records in the pipeline are exactly the unacknowledged ones.
    /// </summary>
    /// <value>The default is 65,536 (the pipeline's default in-flight bound); from 1.</value>
    public int MaxAckPending { get; init; } = 65_536;

    /// <summary>
    /// Gets how long the server waits for the acknowledgement of a delivered message before it delivers it again
    /// (JetStream's <c>ack_wait</c>). Acknowledgements follow the pipeline's commits, so keep it well above
    /// <see cref="Pipelines.PipelineOptions.CommitInterval"/> plus the time the in-flight bound takes to drain through the
    /// slowest sink. A message delivered again while its first delivery is still in the pipeline is dropped by the consumer.
    /// </summary>
    /// <value>The default is 60 seconds; at least 1 second.</value>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets how long a JetStream API call (stream and consumer management, a publish's acknowledgement) may take.</summary>
    /// <value>The default is 10 seconds; positive.</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the prefix of the JetStream stream names the framework creates (one stream per topic partition).</summary>
    /// <value>The default is <c>DW_</c>.</value>
    public string StreamPrefix { get; init; } = "DW_";

    /// <summary>Gets the prefix of the subjects the framework's topics use: partition <c>p</c> of topic <c>t</c> is <c>{prefix}t.p</c>.</summary>
    /// <value>The default is <c>dataweaver.</c>.</value>
    public string SubjectPrefix { get; init; } = "dataweaver.";

    /// <summary>Gets how many partition streams a topic may have.</summary>
    /// <value>The default is 256; from 1.</value>
    public int MaxPartitions { get; init; } = 256;

    /// <summary>Gets more secret values to scrub from errors and log lines, beyond <see cref="Password"/> and <see cref="Token"/>.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyCollection<string> SecretValues { get; init; } = [];

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per invalid option, naming it.</returns>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            yield return "NatsStreamOptions.Url must not be empty.";
        }

        if (MaxAckPending < 1)
        {
            yield return $"NatsStreamOptions.MaxAckPending must be at least 1 (was {MaxAckPending}).";
        }

        if (AckWait < TimeSpan.FromSeconds(1))
        {
            yield return $"NatsStreamOptions.AckWait must be at least 1 second (was {AckWait}).";
        }

        if (OperationTimeout <= TimeSpan.Zero)
        {
            yield return $"NatsStreamOptions.OperationTimeout must be positive (was {OperationTimeout}).";
        }

        if (MaxPartitions < 1)
        {
            yield return $"NatsStreamOptions.MaxPartitions must be at least 1 (was {MaxPartitions}).";
        }

        if (StreamPrefix.AsSpan().IndexOfAny(StreamNameForbidden) >= 0)
        {
            yield return "NatsStreamOptions.StreamPrefix must not contain spaces, '.', '*', '>', '/' or '\\'.";
        }

        if (SubjectPrefix.AsSpan().IndexOfAny(SubjectForbidden) >= 0)
        {
            yield return "NatsStreamOptions.SubjectPrefix must not contain spaces, '*' or '>'.";
        }
    }

    /// <summary>Gets the logger factory handed to the NATS client (tests read its reconnection and pull-request lines); <see langword="null"/> logs nothing.</summary>
    internal Microsoft.Extensions.Logging.ILoggerFactory? ClientLoggerFactory { get; init; }

    internal IEnumerable<string> Secrets() => new[] { Password, Token }.Concat(SecretValues).Where(s => !string.IsNullOrEmpty(s))!;
}
