using System.Globalization;
using System.Text.Json;

namespace DataWeaver.Http.Internal;

/// <summary>The body formats a request may carry.</summary>
internal enum BodyFormat
{
    /// <summary>One JSON document, or a JSON array whose elements are the records.</summary>
    Json,

    /// <summary>Newline-delimited JSON: one document per line; blank lines are skipped.</summary>
    Ndjson,
}

/// <summary>One record of a body: its bytes, or why they are malformed.</summary>
/// <param name="Start">Where it starts in the body.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Error">Why it is malformed (naming its position), or <see langword="null"/> when it is a good record.</param>
internal readonly record struct BodyItem(int Start, int Length, string? Error);

/// <summary>Cuts a request body into records (raw JSON bytes), validating each with <see cref="Utf8JsonReader"/>.</summary>
internal static class JsonBodySplitter
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    /// <summary>Splits a body; malformed parts are items with an <see cref="BodyItem.Error"/>.</summary>
    public static List<BodyItem> Split(ReadOnlySpan<byte> body, BodyFormat format) =>
        format == BodyFormat.Json ? SplitJson(body) : SplitLines(body);

    private static List<BodyItem> SplitJson(ReadOnlySpan<byte> body)
    {
        var items = new List<BodyItem>();
        var reader = new Utf8JsonReader(body, isFinalBlock: true, new JsonReaderState(Options));
        try
        {
            if (!reader.Read())
            {
                return [new BodyItem(0, body.Length, "Malformed JSON: the body is empty.")];
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                items.Add(new BodyItem(start, (int)reader.BytesConsumed - start, null));
            }
            else
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    items.Add(new BodyItem(start, (int)reader.BytesConsumed - start, null));
                }
            }

            if (reader.Read())
            {
                return [new BodyItem(0, body.Length, Describe(reader.BytesConsumed, body, "more than one JSON value"))];
            }

            return items;
        }
        catch (JsonException error)
        {
            return [new BodyItem(0, body.Length, Describe(error, "Malformed JSON"))];
        }
    }

    private static List<BodyItem> SplitLines(ReadOnlySpan<byte> body)
    {
        var items = new List<BodyItem>();
        var line = 0;
        for (var start = 0; start < body.Length;)
        {
            line++;
            var end = body[start..].IndexOf((byte)'\n');
            var next = end < 0 ? body.Length : start + end + 1;
            var length = (end < 0 ? body.Length : start + end) - start;
            if (length > 0 && body[start + length - 1] == (byte)'\r')
            {
                length--;
            }

            var text = body.Slice(start, length);
            if (!text.Trim(" \t"u8).IsEmpty)
            {
                items.Add(new BodyItem(start, length, Validate(text, line)));
            }

            start = next;
        }

        return items;
    }

    private static string? Validate(ReadOnlySpan<byte> line, int number)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(Options));
        try
        {
            reader.Read();
            reader.Skip();
            return reader.Read() ? string.Create(CultureInfo.InvariantCulture, $"Malformed NDJSON at line {number}: more than one JSON value on the line.") : null;
        }
        catch (JsonException error)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Malformed NDJSON at line {number}, byte {(error.BytePositionInLine ?? 0) + 1}: {Reason(error)}");
        }
    }

    private static string Describe(JsonException error, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} at line {(error.LineNumber ?? 0) + 1}, byte {(error.BytePositionInLine ?? 0) + 1} of the line: {Reason(error)}");

    private static string Describe(long offset, ReadOnlySpan<byte> body, string what)
    {
        var before = body[..(int)Math.Min(offset, body.Length)];
        var line = before.Count((byte)'\n') + 1;
        return string.Create(CultureInfo.InvariantCulture, $"Malformed JSON at line {line}: {what} (a JSON body is one document or one array; send several as NDJSON).");
    }

    /// <summary>The reader's reason without its own position suffix (" LineNumber: 0 | BytePositionInLine: 5.").</summary>
    private static string Reason(JsonException error)
    {
        var message = error.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
