using System.Text;
using System.Text.Json;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>
/// The structural scan behind <see cref="JsonRecord"/>'s field reads must find exactly what the reference
/// <see cref="Utf8JsonReader"/> walk finds: the same value bytes and kind, the first of duplicate names, and the reader's
/// answer wherever the scan is unsure (escaped names).
/// </summary>
public sealed class JsonObjectScannerTests
{
    // Raw JSON name texts (as they appear between the quotes), escaped ones included.
    private static readonly string[] NameTexts = ["a", "qty", "amount", "caf\u00e9", "x\\\"y", "q\\u0074y", "", "\ud83d\ude00", "a.b", "{", "]"];

    private static readonly string[] Lookups = ["a", "qty", "amount", "caf\u00e9", "x\"y", "", "\ud83d\ude00", "a.b", "{", "]", "missing", "\ud83d"];

    [Fact]
    public void TryFind_RandomValidObjects_SameAnswerAsTheReader()
    {
        var random = new Random(20261121);
        var hits = 0;
        var scanned = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var text = new StringBuilder();
            WriteObject(random, text, depth: 0);
            var record = JsonRecord.Parse(text.ToString());
            var json = record.Utf8.Span;
            foreach (var name in Lookups)
            {
                var utf8 = Encoding.UTF8.GetBytes(name);
                var expected = JsonRecord.TryFindWithReader(json, default, name, useUtf8: false, out var start, out var length, out var type);
                var found = JsonRecord.TryFind(json, default, name, useUtf8: false, out var start2, out var length2, out var type2);
                Assert.True((expected, start, length, type) == (found, start2, length2, type2), $"'{name}' in {text}");

                expected = JsonRecord.TryFindWithReader(json, utf8, default, useUtf8: true, out start, out length, out type);
                found = JsonRecord.TryFind(json, utf8, default, useUtf8: true, out start2, out length2, out type2);
                Assert.True((expected, start, length, type) == (found, start2, length2, type2), $"utf-8 '{name}' in {text}");
                hits += found ? 1 : 0;
                scanned += JsonObjectScanner.TryFind(json, utf8, out _, out _, out _) == JsonObjectScanner.Result.Unsure ? 0 : 1;
            }
        }

        // The seed fixes the cases: most lookups find a field, and most are answered by the scan itself.
        Assert.Equal(8_925, hits);
        Assert.True(scanned > 3_000 * Lookups.Length / 2, $"only {scanned} lookups answered by the scan");
    }

    [Fact]
    public void GetFields_RandomValidObjects_SameFieldsAsTryGetFieldOneByOne()
    {
        var random = new Random(20261208);
        JsonFieldPath[] paths = [.. Lookups.Where(name => name.Length > 0).Select(name => JsonFieldPath.FromNames(name)), JsonFieldPath.FromNames("a", "qty"), JsonFieldPath.FromNames("qty"), JsonFieldPath.FromNames("a", "missing")];
        var fields = new JsonField[paths.Length];
        var found = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var text = new StringBuilder();
            WriteObject(random, text, depth: 0);
            var record = JsonRecord.Parse(text.ToString());
            var count = record.GetFields(paths, fields);
            var expectedCount = 0;
            for (var k = 0; k < paths.Length; k++)
            {
                var expected = record.TryGetField(paths[k], out var field);
                expectedCount += expected ? 1 : 0;
                Assert.True(expected ? fields[k] == field : fields[k].Kind == JsonValueKind.Undefined, $"'{paths[k]}' in {text}");
            }

            Assert.Equal(expectedCount, count);
            found += count;
        }

        Assert.True(found > 3_000, $"only {found} fields found");
    }

    [Fact]
    public void GetFields_EscapedNameDuplicatesAndNesting_AsTryGetField()
    {
        var record = JsonRecord.Parse(""" {"q\u0074y": 1, "qty": 2, "o": {"k": [1, {"x": "}"}], "z": "a"}, "id": 7} """);
        JsonFieldPath[] paths = [JsonFieldPath.Parse("qty"), JsonFieldPath.Parse("o.z"), JsonFieldPath.Parse("id"), JsonFieldPath.Parse("o.none"), JsonFieldPath.Parse("id")];
        var fields = new JsonField[paths.Length];

        Assert.Equal(4, record.GetFields(paths, fields));
        Assert.True(fields[0].TryGetInt64(out var qty));
        Assert.Equal(1, qty); // the escaped name is the first "qty", as Utf8JsonReader reads it
        Assert.True(fields[1].TryGetString(out var z));
        Assert.Equal("a", z);
        Assert.Equal(fields[2], fields[4]);
        Assert.Equal(JsonValueKind.Undefined, fields[3].Kind);
        Assert.Throws<ArgumentException>(() => record.GetFields(paths, new JsonField[2]));
        Assert.Equal(0, default(JsonRecord).GetFields(paths, fields));
    }

    [Fact]
    public void GetFields_WarmPath_AllocatesNothing()
    {
        var record = JsonRecord.Parse("""{"id":1,"user":"u-1","amount":12.5,"qty":3,"country":"FR","ts":1700000000}""");
        JsonFieldPath[] paths = [.. new[] { "id", "user", "amount", "qty", "country", "ts" }.Select(JsonFieldPath.Parse)];
        var fields = new JsonField[paths.Length];
        record.GetFields(paths, fields);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var i = 0; i < 1_000; i++)
        {
            total += record.GetFields(paths, fields);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(6_000, total);
    }

    [Fact]
    public void TryFind_ValuesHoldingStructuralBytes_SkipsThemWhole()
    {
        var record = JsonRecord.Parse(""" { "s" : "a}\"{[\\" , "o" : { "k" : "]}", "l" : [ "[", { } ] } , "n" : -1.5e3 , "t" : true, "last" : 7 } """);

        Assert.True(record.TryGetField("o", out var o));
        Assert.Equal(JsonValueKind.Object, o.Kind);
        Assert.Equal("""{ "k" : "]}", "l" : [ "[", { } ] }""", o.ToString());
        Assert.True(record.TryGetString("s", out string? s));
        Assert.Equal("a}\"{[\\", s);
        Assert.True(record.TryGetDouble("n", out var n));
        Assert.Equal(-1500d, n);
        Assert.True(record.TryGetBoolean("t", out var t));
        Assert.True(t);
        Assert.True(record.TryGetInt64("last", out var last));
        Assert.Equal(7, last);
        Assert.False(record.TryGetField("k", out _));
    }

    [Fact]
    public void TryFind_EscapedNameBeforeTheField_IsUnsureAndTheReaderAnswers()
    {
        var json = """{"caf\u00e9":1,"q\u0074y":2,"qty":3}"""u8;

        var result = JsonObjectScanner.TryFind(json, "qty"u8, out _, out _, out _);
        var record = JsonRecord.Parse(json.ToArray());

        Assert.Equal(JsonObjectScanner.Result.Unsure, result);
        Assert.True(record.TryGetInt64("qty", out var qty));
        Assert.Equal(2, qty); // the first field named qty once unescaped, as Utf8JsonReader compares
    }

    [Theory]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":"1}""")]
    [InlineData("""{"a":[1,2}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{"a":1;"b":2}""")]
    [InlineData("""[1]""")]
    [InlineData("""{"a":tru}""")]
    public void TryFind_NotTheValidatedJsonItWasPromised_IsUnsure(string text)
    {
        var result = JsonObjectScanner.TryFind(Encoding.UTF8.GetBytes(text), "b"u8, out _, out _, out _);

        Assert.Equal(JsonObjectScanner.Result.Unsure, result);
    }

    private static void WriteObject(Random random, StringBuilder text, int depth)
    {
        text.Append('{');
        var count = random.Next(depth == 0 ? 1 : 0, 7);
        for (var i = 0; i < count; i++)
        {
            Space(random, text);
            text.Append('"').Append(NameTexts[random.Next(NameTexts.Length)]).Append('"');
            Space(random, text);
            text.Append(':');
            Space(random, text);
            WriteValue(random, text, depth);
            Space(random, text);
            if (i < count - 1)
            {
                text.Append(',');
            }
        }

        Space(random, text);
        text.Append('}');
    }

    private static void WriteValue(Random random, StringBuilder text, int depth)
    {
        switch (random.Next(depth < 3 ? 9 : 7))
        {
            case 0: text.Append(random.Next(-1000, 1000)); break;
            case 1: text.Append("-12.5e-3"); break;
            case 2: text.Append("\"a}\\\"{[\\\\\\u0041\""); break;
            case 3: text.Append("\"plain\""); break;
            case 4: text.Append("true"); break;
            case 5: text.Append(random.Next(2) == 0 ? "false" : "null"); break;
            case 6: text.Append("\"\""); break;
            case 7: WriteObject(random, text, depth + 1); break;
            default:
                text.Append('[');
                var count = random.Next(0, 4);
                for (var i = 0; i < count; i++)
                {
                    Space(random, text);
                    WriteValue(random, text, depth + 1);
                    text.Append(i < count - 1 ? "," : string.Empty);
                }

                text.Append(']');
                break;
        }
    }

    private static void Space(Random random, StringBuilder text)
    {
        if (random.Next(4) == 0)
        {
            text.Append(" \t\r\n"[random.Next(4)]);
        }
    }
}
