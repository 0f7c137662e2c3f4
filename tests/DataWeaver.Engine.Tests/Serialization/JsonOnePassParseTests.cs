using System.Text;
using System.Text.Json;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>
/// <see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, ReadOnlySpan{JsonFieldPath}, Span{JsonField}, out int, JsonRecordOptions?)"/>
/// validates and locates fields in one pass. It must agree with the reference, <see cref="Utf8JsonReader"/>: the same
/// verdict on every text (valid, corrupted, not UTF-8), the same error as the two-pass <c>Parse</c> where it rejects,
/// and, where it accepts, the same field (bytes and kind) for every path as a reader walk finds.
/// </summary>
public sealed class JsonOnePassParseTests
{
    // Raw name texts as they appear between the quotes: escaped, non-ASCII, sharing a first byte and a length.
    private static readonly string[] NameTexts = ["id", "ts", "qty", "q\\u0074y", "qt\\\"y", "amount", "caf\u00e9", "", "a.b", "user", "usex", "o", "\ud83d\ude00"];

    private static readonly JsonFieldPath[] Paths =
    [
        JsonFieldPath.Parse("id"), JsonFieldPath.Parse("ts"), JsonFieldPath.Parse("qty"), JsonFieldPath.Parse("amount"),
        JsonFieldPath.FromNames("caf\u00e9"), JsonFieldPath.FromNames("a.b"), JsonFieldPath.Parse("user"),
        JsonFieldPath.Parse("o.id"), JsonFieldPath.Parse("o.o.qty"), JsonFieldPath.Parse("qty"), JsonFieldPath.Parse("missing"),
        JsonFieldPath.FromNames("qt\"y"), JsonFieldPath.FromNames("\ud83d\ude00"),
    ];

    // Bytes that break JSON in every way: structure, escapes, control bytes, and UTF-8 (a lone lead byte, a stray continuation, 0xFF).
    private static readonly byte[] Noise = [.. "{}[]\"\\,:0-.eE+ tfnu/x\t"u8, 0x01, 0xC3, 0x80, 0xFF, 0xE2];

    [Fact]
    public void Parse_WithFields_RandomValidAndCorruptedObjects_AgreesWithTheReader()
    {
        var random = new Random(20261208);
        var fields = new JsonField[Paths.Length];
        int valid = 0, rejected = 0, found = 0;
        for (var n = 0; n < 4_000; n++)
        {
            var text = new StringBuilder();
            WriteObject(random, text, depth: 0);
            var original = Encoding.UTF8.GetBytes(text.ToString());
            found += Check(original, fields, mustAccept: true);
            valid++;
            for (var m = 0; m < 6; m++)
            {
                var mutated = JsonReference.Mutate(random, original, Noise, kinds: 5);
                var accepted = ReaderAccepts(mutated);
                found += Check(mutated, fields, mustAccept: false);
                (accepted ? ref valid : ref rejected)++;
            }
        }

        // The seed fixes the cases: both verdicts are exercised, and many fields are found.
        Assert.True(valid > 5_000 && rejected > 10_000, $"valid {valid}, rejected {rejected}");
        Assert.True(found > 20_000, $"only {found} fields found");
    }

    [Fact]
    public void Parse_WithFields_InvalidJson_SameTypedErrorAsParseNamingTheByte()
    {
        var bytes = """{"id":1,"user":"u","amount":1.5x,"qty":3}"""u8.ToArray();
        var fields = new JsonField[Paths.Length];

        var expected = Assert.Throws<DeserializationException>(() => JsonRecord.Parse(bytes.AsMemory()));
        var actual = Assert.Throws<DeserializationException>(() => JsonRecord.Parse(bytes.AsMemory(), Paths, fields, out _));

        Assert.Equal(expected.Offset, actual.Offset);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(bytes.AsSpan().IndexOf((byte)'x'), actual.Offset); // the 'x' after the number
    }

    [Fact]
    public void Parse_WithFields_InvalidUtf8InAString_RejectedAsInvalidUtf8()
    {
        byte[] bytes = [.. """{"id":1,"user":"u"""u8, 0xC3, 0x28, .. "\"}"u8];
        var fields = new JsonField[Paths.Length];

        var expected = Assert.Throws<DeserializationException>(() => JsonRecord.Parse(bytes.AsMemory()));
        var actual = Assert.Throws<DeserializationException>(() => JsonRecord.Parse(bytes.AsMemory(), Paths, fields, out _));

        Assert.Equal(expected.Offset, actual.Offset);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(17, actual.Offset);
    }

    [Fact]
    public void Parse_WithFields_EscapedNameBeforeTheField_FindsWhatTheReaderFinds()
    {
        var bytes = """{"id":1,"q\u0074y":2,"qty":3,"o":{"id":"x"}}"""u8.ToArray();
        JsonFieldPath[] paths = [JsonFieldPath.Parse("qty"), JsonFieldPath.Parse("id"), JsonFieldPath.Parse("o.id"), JsonFieldPath.Parse("qty")];
        var fields = new JsonField[paths.Length];

        var record = JsonRecord.Parse(bytes, paths, fields, out var found);

        Assert.Equal(4, found);
        Assert.True(fields[0].TryGetInt64(out var qty));
        Assert.Equal(2, qty); // the escaped name is the first "qty", as Utf8JsonReader compares names
        Assert.Equal(fields[0], fields[3]);
        Assert.True(fields[2].TryGetString(out var inner));
        Assert.Equal("x", inner);
        Assert.Equal(bytes.Length, record.Utf8.Length);
    }

    [Fact]
    public void Parse_WithFields_LimitsAndArguments_AsParse()
    {
        var fields = new JsonField[Paths.Length];
        var deep = Encoding.UTF8.GetBytes("{\"id\":[[[1]]]}");

        Assert.Throws<DeserializationException>(() => JsonRecord.Parse(deep, Paths, fields, out _, new JsonRecordOptions { MaxDepth = 3 }));
        JsonRecord.Parse(deep, Paths, fields, out var found, new JsonRecordOptions { MaxDepth = 4 });
        Assert.Equal(1, found);
        Assert.Throws<DeserializationException>(() => JsonRecord.Parse(deep, Paths, fields, out _, new JsonRecordOptions { MaxRecordBytes = 8 }));
        Assert.Throws<ArgumentException>(() => JsonRecord.Parse(deep, Paths, new JsonField[2], out _));
        JsonRecord.Parse(deep, [], [], out found);
        Assert.Equal(0, found);
    }

    [Fact]
    public void Parse_WithFields_WarmPath_AllocatesNothing()
    {
        var line = """{"id":1,"user":"u-1","amount":12.5,"qty":3,"country":"FR","ts":1700000000}"""u8.ToArray().AsMemory();
        JsonFieldPath[] paths = [.. new[] { "id", "user", "amount", "qty", "country", "ts" }.Select(JsonFieldPath.Parse)];
        var fields = new JsonField[paths.Length];
        JsonRecord.Parse(line, paths, fields, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var i = 0; i < 1_000; i++)
        {
            JsonRecord.Parse(line, paths, fields, out var found);
            total += found;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(6_000, total);
    }

    /// <summary>Checks one text against the reference; returns how many fields were found.</summary>
    private static int Check(byte[] bytes, JsonField[] fields, bool mustAccept)
    {
        var accepted = ReaderAccepts(bytes);
        var label = Encoding.UTF8.GetString(bytes);
        Assert.True(accepted || !mustAccept, "the generator wrote invalid JSON: " + label);
        Exception? twoPass = Record.Exception(() => JsonRecord.Parse(bytes.AsMemory()));
        Exception? onePass = null;
        var found = 0;
        try
        {
            JsonRecord.Parse(bytes.AsMemory(), Paths, fields, out found);
        }
        catch (DeserializationException exception)
        {
            onePass = exception;
        }

        Assert.True(accepted == onePass is null, $"reader {accepted}, one pass {onePass?.Message ?? "accepted"}: {label}");
        if (!accepted)
        {
            var expected = Assert.IsType<DeserializationException>(twoPass);
            var actual = (DeserializationException)onePass!;
            Assert.True((expected.Offset, expected.Message) == (actual.Offset, actual.Message), $"{actual.Message} at {actual.Offset}, two-pass {expected.Message} at {expected.Offset}: {label}");
            return 0;
        }

        var expectedCount = 0;
        for (var k = 0; k < Paths.Length; k++)
        {
            var exists = ReaderFind(bytes, Paths[k], out var start, out var length, out var kind);
            expectedCount += exists ? 1 : 0;
            var field = fields[k];
            var same = exists
                ? field.Kind == kind && field.RawValue.Length == length && ((ReadOnlySpan<byte>)bytes).Overlaps(field.RawValue.Span, out var offset) && offset == start
                : field.Kind == JsonValueKind.Undefined;
            Assert.True(same, $"'{Paths[k]}' (exists {exists}) in {label}");
        }

        Assert.Equal(expectedCount, found);
        return found;
    }

    /// <summary>The reference verdict: valid UTF-8, and a <see cref="Utf8JsonReader"/> reads exactly one object.</summary>
    private static bool ReaderAccepts(byte[] json) => System.Text.Unicode.Utf8.IsValid(json) && JsonReference.ReaderAccepts(json, 64);

    /// <summary>The reference lookup: a <see cref="Utf8JsonReader"/> walk per name, the first property of a name (compared unescaped).</summary>
    private static bool ReaderFind(byte[] json, JsonFieldPath path, out int start, out int length, out JsonValueKind kind)
    {
        (start, length, kind) = (0, json.Length, JsonValueKind.Object);
        foreach (var name in path.Names)
        {
            if (kind != JsonValueKind.Object)
            {
                return false;
            }

            var reader = new Utf8JsonReader(json.AsSpan(start, length));
            reader.Read();
            var found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                if (match)
                {
                    (start, length) = (start + valueStart, (int)reader.BytesConsumed - valueStart);
                    using var value = JsonDocument.Parse(json.AsMemory(start, length));
                    kind = value.RootElement.ValueKind;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteObject(Random random, StringBuilder text, int depth)
    {
        text.Append(Space(random)).Append('{');
        var count = random.Next(depth == 0 ? 1 : 0, 8);
        for (var i = 0; i < count; i++)
        {
            text.Append(i > 0 ? "," : "").Append(Space(random));
            text.Append('"').Append(NameTexts[random.Next(NameTexts.Length)]).Append('"');
            text.Append(Space(random)).Append(':').Append(Space(random));
            WriteValue(random, text, depth + 1);
            text.Append(Space(random));
        }

        text.Append('}').Append(Space(random));
    }

    private static void WriteValue(Random random, StringBuilder text, int depth)
    {
        switch (random.Next(depth > 3 ? 7 : 9))
        {
            case 0:
                text.Append(random.Next(3) switch { 0 => "0", 1 => "-12", _ => "1732190000123" });
                break;
            case 1:
                text.Append(random.Next(4) switch { 0 => "1234.56", 1 => "-0.25e+10", 2 => "3E-2", _ => "0.0" });
                break;
            case 2:
                text.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 3:
                text.Append("\"user-00042\"");
                break;
            case 4:
                text.Append("\"a}\\\"{[\\\\ caf\u00e9 \ud83d\ude00\"");
                break;
            case 5:
                text.Append(random.Next(2) == 0 ? "\"\"" : "\"\\u00e9\\n\"");
                break;
            case 6:
                text.Append('"').Append(new string('x', random.Next(20, 70))).Append(random.Next(2) == 0 ? "\u00e9" : "\\t").Append('"'); // past the short-string loop
                break;
            case 7:
                WriteObject(random, text, depth);
                break;
            default:
                text.Append('[');
                var items = random.Next(0, 4);
                for (var i = 0; i < items; i++)
                {
                    text.Append(i > 0 ? "," : "").Append(Space(random));
                    WriteValue(random, text, depth + 1);
                }

                text.Append(']');
                break;
        }
    }

    private static string Space(Random random) => random.Next(5) switch { 0 => " ", 1 => "\r\n\t", _ => "" };
}
