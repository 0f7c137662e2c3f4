using System.Buffers;
using System.Text;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>
/// A format of one record per line (json, text, and every message format read line by line): lines are cut out of
/// pooled read buffers, empty lines are skipped and a trailing <c>\r</c> is removed. Positions are byte offsets, so a
/// checkpointed plain file resumes with a seek. A line that does not decode becomes a dead-letter candidate naming
/// the file, line number (when read from the start) and byte offset.
/// </summary>
public abstract class LineRecordFormat : RecordFileFormat
{
    /// <summary>The default longest line: 1 MiB.</summary>
    public const int DefaultMaxLineBytes = 1024 * 1024;

    /// <summary>Creates the format.</summary>
    /// <param name="maxLineBytes">The longest accepted line in bytes; a longer one is rejected (dead-lettered with its first KiB).</param>
    protected LineRecordFormat(int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        MaxLineBytes = maxLineBytes;
    }

    /// <inheritdoc />
    public override bool EndsRecordsWithLineEnd => true;

    /// <summary>Gets the longest accepted line in bytes.</summary>
    /// <value>The default is 1 MiB.</value>
    public int MaxLineBytes { get; }

    /// <summary>
    /// Gets a value indicating whether <see cref="DecodeLine"/> returns records that borrow the line's bytes (the pooled read
    /// buffer then stays alive until the records are acknowledged); otherwise the records own their bytes.
    /// </summary>
    protected abstract bool BorrowsLine { get; }

    /// <inheritdoc />
    public sealed override RecordFileReader CreateReader(Stream input, string fileName) => new LineRecordReader(this, input, fileName);

    /// <inheritdoc />
    public sealed override RecordFileWriter CreateWriter(Stream output) => new LineRecordWriter(this, output);

    /// <summary>Decodes one line (without its line end).</summary>
    /// <param name="line">The line's bytes; they stay unchanged while the record is in the pipeline when <see cref="BorrowsLine"/>.</param>
    /// <returns>The record.</returns>
    /// <exception cref="DataWeaverException">The line is not a record of this format (a data error; the reader adds the position).</exception>
    /// <exception cref="FormatException">The line is not a record of this format.</exception>
    protected internal abstract JsonRecord DecodeLine(ReadOnlyMemory<byte> line);

    /// <summary>Encodes one record as a line, without the line end (which MUST NOT appear in the output).</summary>
    /// <param name="record">The record.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="DataWeaverException">The record does not fit the format (a data error).</exception>
    protected internal abstract void EncodeLine(in JsonRecord record, IBufferWriter<byte> output);

    internal bool Borrows => BorrowsLine;

    internal static bool IsDecodeError(Exception exception) =>
        exception is DataWeaverException { ErrorClass: ErrorClass.Data } or FormatException or JsonException or ArgumentException or DecoderFallbackException;
}

/// <summary>A line format over a <see cref="JsonRecordFormat"/>: each line is one payload of that format (string, raw, utf8, ...).</summary>
internal sealed class PayloadLineFormat(JsonRecordFormat format) : LineRecordFormat
{
    public override string Name => format.Name;

    protected override bool BorrowsLine => false;

    protected internal override JsonRecord DecodeLine(ReadOnlyMemory<byte> line) => format.Decode(line.ToArray());

    protected internal override void EncodeLine(in JsonRecord record, IBufferWriter<byte> output)
    {
        var serializer = format.Serializer ?? throw new InvalidOperationException($"The format '{format.Name}' cannot write records.");
        serializer.Serialize(record, output);
    }
}

/// <summary>The <c>json</c> lines format: each line is one JSON object, borrowed from the read buffer without a copy.</summary>
internal sealed class JsonLineFormat(JsonRecordOptions options) : LineRecordFormat(options.MaxRecordBytes)
{
    public override string Name => "json";

    protected override bool BorrowsLine => true;

    protected internal override JsonRecord DecodeLine(ReadOnlyMemory<byte> line) => JsonRecord.Parse(line, options);

    protected internal override void EncodeLine(in JsonRecord record, IBufferWriter<byte> output) => output.Write(record.Utf8.Span);
}

/// <summary>The <c>text</c> format: each line is <c>{ field: "the line" }</c>; written back as that field's text.</summary>
internal sealed class TextLineFormat(string field, int maxLineBytes) : LineRecordFormat(maxLineBytes)
{
    private readonly Internal.Connectors.StringFieldCodec _codec = new(field);

    public override string Name => "text";

    protected override bool BorrowsLine => false;

    protected internal override JsonRecord DecodeLine(ReadOnlyMemory<byte> line)
    {
        try
        {
            return _codec.Deserialize(line.Span);
        }
        catch (DeserializationException exception)
        {
            throw new DataWeaverException(ErrorClass.Data, exception.Reason, exception);
        }
    }

    protected internal override void EncodeLine(in JsonRecord record, IBufferWriter<byte> output)
    {
        var start = output is ArrayBufferWriter<byte> array ? array.WrittenCount : -1;
        _codec.Serialize(record, output);
        if (start >= 0 && ((ArrayBufferWriter<byte>)output).WrittenSpan[start..].IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            throw new DataWeaverException(ErrorClass.Data, $"The text format writes one line per record; the field '{field}' holds a line break.");
        }
    }
}
