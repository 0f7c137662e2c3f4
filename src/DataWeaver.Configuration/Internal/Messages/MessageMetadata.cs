using System.Buffers;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Messages;

/// <summary>
/// The <c>$meta</c> field of a source with <c>metadata: true</c>: the message's topic, partition, offset, timestamp, key and
/// headers, appended to the decoded record so that transforms read them as fields (<c>$meta.key</c>,
/// <c>$meta.headers.traceparent</c>). Only pipelines that ask for it pay for it: one more copy of each record.
/// </summary>
internal static class MessageMetadata
{
    /// <summary>The field that holds the metadata.</summary>
    public const string Field = "$meta";

    private static readonly JsonFieldPath Path = JsonFieldPath.FromNames(Field);
    private static readonly JsonRecordTransform DropTransform = JsonRecordTransform.CreateBuilder().Drop(Path).Build();
    private static readonly JsonEncodedText FieldName = JsonEncodedText.Encode(Field);

    /// <summary>Removes <c>$meta</c> from a record (before a sink writes it).</summary>
    public static JsonRecord Drop(JsonRecord record) => record.TryGetField(Path, out _) ? DropTransform.Apply(record) : record;

    /// <summary>Returns <paramref name="decoded"/> with the field <c>$meta</c> describing <paramref name="message"/> (replacing one the value had).</summary>
    /// <param name="decoded">The decoded value: a JSON object.</param>
    /// <param name="message">The message it was decoded from.</param>
    /// <param name="topic">The topic (stream) read, or <see langword="null"/> for a source without topics.</param>
    /// <returns>The record with its metadata.</returns>
    public static JsonRecord Attach(JsonRecord decoded, in Record<ReadOnlyMemory<byte>> message, string? topic)
    {
        var value = Drop(decoded).Utf8.Span;
        var start = value.IndexOfAnyExcept(" \t\r\n"u8);
        var end = value.LastIndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0 || value[start] != (byte)'{' || value[end] != (byte)'}')
        {
            ThrowNotAnObject();
        }

        var empty = value[(start + 1)..end].IndexOfAnyExcept(" \t\r\n"u8) < 0;
        var buffer = new ArrayBufferWriter<byte>(value.Length + 128 + message.Key.Length);
        buffer.Write(value[..end]);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (!empty)
            {
                buffer.Write(","u8);
            }

            writer.WritePropertyName(FieldName);
            WriteMetadata(writer, message, topic);
            writer.Flush();
        }

        buffer.Write("}"u8);
        return JsonRecord.Parse(buffer.WrittenMemory);
    }

    private static void WriteMetadata(Utf8JsonWriter writer, in Record<ReadOnlyMemory<byte>> message, string? topic)
    {
        writer.WriteStartObject();
        if (topic is not null)
        {
            writer.WriteString("topic"u8, topic);
        }

        writer.WriteNumber("partition"u8, message.Position.Partition);
        writer.WriteNumber("offset"u8, message.Position.Offset);
        if (message.Timestamp == default)
        {
            writer.WriteNull("timestamp"u8);
        }
        else
        {
            writer.WriteString("timestamp"u8, message.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        WriteKey(writer, message.Key);
        if (message.Headers is { Count: > 0 } headers)
        {
            WriteHeaders(writer, headers, text: true);
            WriteHeaders(writer, headers, text: false);
        }
        else
        {
            writer.WriteStartObject("headers"u8);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>headers</c> (UTF-8 values as text) or <c>headersBase64</c> (the others, only when there are some). A name
    /// given twice keeps its last value, as Kafka clients read headers.
    /// </summary>
    private static void WriteHeaders(Utf8JsonWriter writer, RecordHeaders headers, bool text)
    {
        var started = false;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (System.Text.Unicode.Utf8.IsValid(header.Value.Span) != text || !IsLast(headers, i))
            {
                continue;
            }

            if (!started)
            {
                writer.WriteStartObject(text ? "headers"u8 : "headersBase64"u8);
                started = true;
            }

            if (text)
            {
                writer.WriteString(header.Name, header.Value.Span);
            }
            else
            {
                writer.WriteBase64String(header.Name, header.Value.Span);
            }
        }

        if (started)
        {
            writer.WriteEndObject();
        }
        else if (text)
        {
            writer.WriteStartObject("headers"u8);
            writer.WriteEndObject();
        }
    }

    private static bool IsLast(RecordHeaders headers, int index)
    {
        for (var j = index + 1; j < headers.Count; j++)
        {
            if (string.Equals(headers[j].Name, headers[index].Name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes <c>key</c>: its text, or null when there is none or it is not UTF-8 (then <c>keyBase64</c> holds it).</summary>
    private static void WriteKey(Utf8JsonWriter writer, ReadOnlyMemory<byte> key)
    {
        if (!key.IsEmpty && System.Text.Unicode.Utf8.IsValid(key.Span))
        {
            writer.WriteString("key"u8, key.Span);
            return;
        }

        writer.WriteNull("key"u8);
        if (!key.IsEmpty)
        {
            writer.WriteBase64String("keyBase64"u8, key.Span);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotAnObject() =>
        throw new DataWeaverException(ErrorClass.Data, $"'metadata: true' adds the field '{Field}' to each record, but this message's value is not a JSON object.");
}
