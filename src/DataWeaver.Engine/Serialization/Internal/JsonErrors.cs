using System.Buffers;
using System.Text.Json;

namespace DataWeaver.Serialization.Internal;

/// <summary>Turns System.Text.Json failures into <see cref="DeserializationException"/>s with absolute byte offsets. Error paths only.</summary>
internal static class JsonErrors
{
    public const string Format = "json";

    /// <summary>The absolute byte offset of a <see cref="JsonException"/>: System.Text.Json counts lines at <c>\n</c> and bytes within the line.</summary>
    public static long Offset(ReadOnlySpan<byte> data, JsonException exception)
    {
        var line = exception.LineNumber ?? 0;
        var start = 0;
        for (long i = 0; i < line; i++)
        {
            var next = data[start..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            start += next + 1;
        }

        return Math.Min(start + (exception.BytePositionInLine ?? 0), data.Length);
    }

    public static long Offset(in ReadOnlySequence<byte> data, JsonException exception)
    {
        var line = exception.LineNumber ?? 0;
        var reader = new SequenceReader<byte>(data);
        for (long i = 0; i < line && reader.TryAdvanceTo((byte)'\n'); i++)
        {
        }

        return Math.Min(reader.Consumed + (exception.BytePositionInLine ?? 0), data.Length);
    }

    /// <summary>The exception's message without System.Text.Json's own position suffix, which counts within a line.</summary>
    public static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd(' ', '|');
    }

    public static DeserializationException From(ReadOnlySpan<byte> data, JsonException exception) =>
        new(Format, Offset(data, exception), Reason(exception), exception);

    public static DeserializationException From(in ReadOnlySequence<byte> data, JsonException exception) =>
        new(Format, Offset(data, exception), Reason(exception), exception);

    public static DeserializationException TooLarge(long length, int limit) =>
        new(Format, limit, $"the record is {length} bytes, above the maximum record size of {limit} bytes");

    /// <summary>A decoding failure of System.Text.Json: invalid UTF-8 anywhere in the record comes first (as a validation before decoding would report it), then the exception's own position.</summary>
    public static DeserializationException FromDecode(ReadOnlySpan<byte> data, JsonException exception) =>
        System.Text.Unicode.Utf8.IsValid(data) ? From(data, exception) : InvalidUtf8(data, exception);

    public static DeserializationException InvalidUtf8(ReadOnlySpan<byte> data, Exception? innerException = null) =>
        new(Format, Utf8Errors.IndexOfInvalid(data), "invalid UTF-8", innerException);
}
