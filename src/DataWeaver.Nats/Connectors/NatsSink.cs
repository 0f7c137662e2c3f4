using System.Globalization;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Tracing;

namespace DataWeaver.Nats;

/// <summary>
/// Publishes each record's value to a JetStream subject and acknowledges a batch to the engine only once the server
/// acknowledged (PubAck: stored) every message of it; each message carries a de-duplication id
/// (<see cref="NatsSinkOptions.MessageIds"/>). The key travels in the <c>Dw-Key</c> header (base64), record headers as headers.
/// </summary>
public sealed class NatsSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private long _sequence;

    /// <summary>Creates the sink.</summary>
    /// <param name="nats">The NATS framework (connection); it must be started before the pipeline runs.</param>
    /// <param name="options">The subject and message ids.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>nats:{subject}</c>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every invalid one.</exception>
    public NatsSink(NatsStreamFramework nats, NatsSinkOptions options, string? name = null)
        : base(name ?? "nats:" + options?.Subject)
    {
        ArgumentNullException.ThrowIfNull(nats);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        Nats = nats;
        Options = options;
        IdPrefix = options.MessageIdPrefix ?? Name;
    }

    /// <summary>Gets the sink options.</summary>
    public NatsSinkOptions Options { get; }

    /// <summary>Runs before the first write (definition files: start the framework).</summary>
    internal Func<CancellationToken, ValueTask>? BeforeWrite { get; init; }

    private NatsStreamFramework Nats { get; }

    private string IdPrefix { get; }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        if (BeforeWrite is { } prepare)
        {
            await prepare(cancellationToken).ConfigureAwait(false);
        }

        var first = Interlocked.Add(ref _sequence, batch.Length) - batch.Length;
        var trace = OutgoingTraceContext.Capture();
        await Nats.PublishBatchAsync(
            batch.Length,
            _ => Options.Subject,
            i => batch.Span[i].Value,
            i =>
            {
                ref readonly var record = ref batch.Span[i];
                return NatsStreamFramework.ToHeaders(record.Key, trace.Apply(record.Headers), null, MessageId(record, first + i));
            },
            Options.Subject,
            cancellationToken).ConfigureAwait(false);
    }

    private string? MessageId(in Record<ReadOnlyMemory<byte>> record, long sequence) => Options.MessageIds switch
    {
        NatsMessageIds.Unique => string.Create(CultureInfo.InvariantCulture, $"{IdPrefix}:{_run}:{sequence}"),
        NatsMessageIds.SourcePosition => string.Create(CultureInfo.InvariantCulture, $"{IdPrefix}:{record.Position.Partition}:{record.Position.Offset}"),
        _ => null,
    };
}
