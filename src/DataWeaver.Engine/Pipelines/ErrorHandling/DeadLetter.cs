using System.Globalization;
using System.Text;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Records;

namespace DataWeaver.Pipelines.ErrorHandling;

/// <summary>
/// A record that a stage could not handle, with why and where: what a dead-letter sink
/// (<see cref="ErrorPolicyBuilder.DeadLetterTo"/>) receives. The same facts are in <see cref="Headers"/>
/// (names in <see cref="DeadLetterHeaders"/>), so <see cref="ToRecord"/> can write it to any byte sink.
/// </summary>
public sealed class DeadLetter
{
    internal DeadLetter(object? value, Exception exception, ErrorClass errorClass, string stage, string source, int attempts, DateTimeOffset time, SourcePosition? position, SourcePosition? batchEnd)
    {
        Value = value;
        Exception = exception;
        ErrorClass = errorClass;
        Stage = stage;
        Source = source;
        Attempts = attempts;
        Time = time;
        Position = position;
        BatchEnd = batchEnd;
        Payload = PayloadOf(value);
        Headers = new RecordHeaders()
            .Add(DeadLetterHeaders.ErrorClass, errorClass.ToString())
            .Add(DeadLetterHeaders.ErrorType, exception.GetType().FullName ?? exception.GetType().Name)
            .Add(DeadLetterHeaders.ErrorMessage, exception.Message)
            .Add(DeadLetterHeaders.Stage, stage)
            .Add(DeadLetterHeaders.Source, source)
            .Add(DeadLetterHeaders.Attempts, attempts.ToString(CultureInfo.InvariantCulture))
            .Add(DeadLetterHeaders.Time, time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        if ((position ?? batchEnd) is { } where)
        {
            Headers.Add(DeadLetterHeaders.SourcePartition, where.Partition.ToString(CultureInfo.InvariantCulture));
        }

        if (position is { } own)
        {
            Headers.Add(DeadLetterHeaders.SourceOffset, own.Offset.ToString(CultureInfo.InvariantCulture));
        }

        if (batchEnd is { } end)
        {
            Headers.Add(DeadLetterHeaders.SourceBatchEnd, end.Offset.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Gets the record as the failing stage received it (boxed).</summary>
    public object? Value { get; }

    /// <summary>
    /// Gets the record's bytes: the value bytes of a <see cref="Record{TValue}"/> of bytes, the bytes or UTF-8 of
    /// a byte or string record, else the record as JSON (empty if it cannot be serialized). A copy: valid after the write.
    /// </summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Gets the error.</summary>
    public Exception Exception { get; }

    /// <summary>Gets how the error was classified.</summary>
    public ErrorClass ErrorClass { get; }

    /// <summary>Gets the stage that failed.</summary>
    public string Stage { get; }

    /// <summary>Gets the source connector's name.</summary>
    public string Source { get; }

    /// <summary>Gets how many times the stage tried the record.</summary>
    public int Attempts { get; }

    /// <summary>Gets when the record was dead-lettered.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Gets the record's own source position, when it is a <see cref="Record{TValue}"/>.</summary>
    public SourcePosition? Position { get; }

    /// <summary>Gets the resume position of the source batch the record came from (the record is at or before it).</summary>
    public SourcePosition? BatchEnd { get; }

    /// <summary>Gets the headers describing the error (see <see cref="DeadLetterHeaders"/>), plus the record's own headers.</summary>
    public RecordHeaders Headers { get; }

    /// <summary>Turns the dead letter into a byte record: the payload as value, the headers, the original key.</summary>
    /// <returns>The record.</returns>
    public Record<ReadOnlyMemory<byte>> ToRecord() =>
        new(Value is IRecordEnvelope envelope ? envelope.Key.ToArray() : ReadOnlyMemory<byte>.Empty, Payload, Headers, Time, Position ?? BatchEnd ?? default);

    /// <inheritdoc />
    public override string ToString() => $"{Stage}: {ErrorClass} {Exception.GetType().Name}: {Exception.Message} ({Source} {Position?.ToString() ?? "batch " + BatchEnd})";

    private static ReadOnlyMemory<byte> PayloadOf(object? value)
    {
        try
        {
            return value switch
            {
                null => ReadOnlyMemory<byte>.Empty,
                IRecordEnvelope envelope => PayloadOf(envelope.BoxedValue),
                ReadOnlyMemory<byte> bytes => bytes.ToArray(),
                Memory<byte> bytes => bytes.ToArray(),
                byte[] bytes => bytes.ToArray(),
                string text => Encoding.UTF8.GetBytes(text),
                Serialization.Json.JsonRecord json => json.Utf8.ToArray(),
                _ => JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), JsonSerializerOptions.Web),
            };
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
    }
}
