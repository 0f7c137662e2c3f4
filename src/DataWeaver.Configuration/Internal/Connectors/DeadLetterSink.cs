using System.Buffers;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>
/// Makes any configured sink a dead-letter target: each <see cref="DeadLetter"/> becomes the JSON object of
/// <see cref="DeadLetterJsonSerializer"/> (error, stage, source position, attempts, time, payload), written by the inner
/// sink with its own acknowledgement, so a dead letter counts as handled only once the inner sink has it.
/// </summary>
/// <remarks>
/// A dead-letter file gets the inner sink's output safety (a locked output, replaced only when the run succeeds or
/// appended to), and the inner sink's files are the wrapper's (<see cref="IFileEndpoints"/>), so a pipeline build refuses
/// a dead-letter file that a checkpointed rerun would wipe.
/// </remarks>
internal sealed class DeadLetterSink<T>(SinkConnector<T> inner, Func<JsonRecord, T> convert) : SinkConnector<DeadLetter>(inner.Name), IFileEndpoints
{
    private static readonly DeadLetterJsonSerializer Serializer = new();

    public SinkConnector<T> Inner => inner;

    public IReadOnlyList<FileEndpoint> FileEndpoints => inner is IFileEndpoints files ? files.FileEndpoints : [];

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default) => inner.OpenAsync(cancellationToken);

    public override ValueTask CloseAsync(CancellationToken cancellationToken = default) => inner.CloseAsync(cancellationToken);

    public override ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<DeadLetter> batch, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(Convert(batch.Span), cancellationToken);

    public override ValueTask WriteBatchAsync(ReadOnlyMemory<DeadLetter> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default) =>
        inner.WriteBatchAsync(Convert(batch.Span), acknowledgement, cancellationToken);

    /// <summary>The dead letter as the JSON record a sink writes.</summary>
    public static JsonRecord ToRecord(DeadLetter letter)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + letter.Payload.Length);
        Serializer.Serialize(letter, buffer);
        return JsonRecord.Parse(buffer.WrittenMemory);
    }

    private T[] Convert(ReadOnlySpan<DeadLetter> letters)
    {
        // A new array per batch: the inner sink may acknowledge after returning, and dead letters are rare.
        var records = new T[letters.Length];
        for (var i = 0; i < letters.Length; i++)
        {
            records[i] = inner.Process(convert(ToRecord(letters[i])));
        }

        return records;
    }
}

/// <summary>Converts dead-letter records for sinks of payloads.</summary>
internal static class DeadLetterPayloads
{
    public static Record<ReadOnlyMemory<byte>> ToPayload(JsonRecord record) => new(ReadOnlyMemory<byte>.Empty, record.Utf8, null, default, default);
}
