using System.Text;
using System.Text.Json;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>
/// The fast paths that read a validated record's bytes where they lie, without a <see cref="Utf8JsonReader"/>: the
/// transform's structural walk, and a string field's comparison and decoding. Each must give exactly what the reader
/// path gives, on random objects with nesting, duplicates, escapes and non-ASCII text.
/// </summary>
public sealed class JsonScannedPathTests
{
    private static readonly string[] Names = ["id", "amount", "country", "customer", "meta", "x", "caf\u00e9", "q\\u0074y", "qty"];

    private static readonly string[] Strings = ["\"DE\"", "\"FR\"", "\"\"", "\"caf\u00e9\"", "\"D\\u0045\"", "\"a\\\"b\"", "\"\ud83d\ude00\"", "\"FRA\""];

    [Fact]
    public void Apply_RandomObjects_ScannedPathWritesWhatTheReaderPathWrites()
    {
        var transform = JsonRecordTransform.CreateBuilder()
            .Set("region", "EMEA")
            .Set("meta.seen", true)
            .Rename("amount", "total")
            .Rename("meta.x", "y")
            .Drop("country")
            .Drop("meta.id")
            .Set("qty", 3L)
            .Update(JsonFieldPath.Parse("x"), static (x, writer) =>
            {
                if (!x.TryGetDouble(out var value))
                {
                    return false;
                }

                writer.WriteNumberValue(value + 1);
                return true;
            })
            .Build();
        var random = new Random(20261208);
        using var scanned = new PooledBufferWriter();
        using var read = new PooledBufferWriter();
        var withoutEscapes = 0;
        for (var n = 0; n < 3_000; n++)
        {
            var text = new StringBuilder();
            WriteObject(random, text, depth: 0);
            var record = JsonRecord.Parse(text.ToString());
            scanned.Clear();
            read.Clear();

            transform.Apply(record, scanned, scan: true);
            transform.Apply(record, read, scan: false);

            Assert.True(scanned.WrittenSpan.SequenceEqual(read.WrittenSpan), $"{text} -> {Encoding.UTF8.GetString(scanned.WrittenSpan)} vs {Encoding.UTF8.GetString(read.WrittenSpan)}");
            JsonRecord.Parse(scanned.WrittenMemory.ToArray()); // valid JSON
            withoutEscapes += text.ToString().Contains('\\', StringComparison.Ordinal) ? 0 : 1;
        }

        Assert.True(withoutEscapes > 500, $"only {withoutEscapes} records took the scanned path");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Update_ScalesANumberInPlace_FirstOfDuplicatesOnlyMissingStaysMissing(bool scan)
    {
        var transform = JsonRecordTransform.CreateBuilder()
            .Update(JsonFieldPath.Parse("amount"), static (amount, writer) =>
            {
                if (!amount.TryGetDouble(out var value))
                {
                    return false; // declined: kept as it is
                }

                writer.WriteNumberValue(value * 2);
                return true;
            })
            .Update(JsonFieldPath.Parse("o.n"), static (n, writer) =>
            {
                writer.WriteStringValue(n.Kind.ToString());
                return true;
            })
            .Rename("qty", "quantity")
            .Build();
        using var output = new PooledBufferWriter();

        string Apply(string json)
        {
            output.Clear();
            transform.Apply(JsonRecord.Parse(json), output, scan);
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }

        Assert.Equal("""{"id":1,"amount":25,"quantity":3}""", Apply("""{"id":1,"amount":12.5,"qty":3}"""));
        Assert.Equal("""{"amount":2,"amount":7,"o":{"n":"Array"}}""", Apply("""{"amount":1,"amount":7,"o":{"n":[1]}}"""));
        Assert.Equal("""{"amount":"x","id":2}""", Apply("""{"amount":"x","id":2}"""));
        Assert.Equal("""{"id":3,"o":{}}""", Apply("""{"id":3,"o":{}}"""));
        Assert.Equal("{\"caf\u00e9\":1,\"amount\":4}", Apply("""{"caf\u00e9":1,"amount":2}""")); // an escaped name: the reader path
    }

    [Fact]
    public void Update_ConflictsAndWarmPath_AsTheOtherOperations()
    {
        JsonFieldUpdate keep = static (_, _) => false;
        Assert.Throws<ArgumentException>(() => JsonRecordTransform.CreateBuilder().Set("a", 1L).Update(JsonFieldPath.Parse("a"), keep));
        Assert.Throws<ArgumentException>(() => JsonRecordTransform.CreateBuilder().Update(JsonFieldPath.Parse("a"), keep).Set("a.b", 1L));
        Assert.Throws<ArgumentNullException>(() => JsonRecordTransform.CreateBuilder().Update(JsonFieldPath.Parse("a"), null!));

        var transform = JsonRecordTransform.CreateBuilder()
            .Update(JsonFieldPath.Parse("amount"), static (amount, writer) =>
            {
                amount.TryGetDouble(out var value);
                writer.WriteNumberValue(value * 1.1);
                return true;
            })
            .Build();
        var record = JsonRecord.Parse("""{"id":1,"user":"u-1","amount":12.5,"qty":3}""");
        using var output = new PooledBufferWriter();
        transform.Apply(record, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            output.Clear();
            transform.Apply(record, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("""{"id":1,"user":"u-1","amount":13.750000000000002,"qty":3}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void StringFastPaths_RandomStrings_SameAsTheReader()
    {
        var chars = new char[64];
        foreach (var literal in Strings)
        {
            var record = JsonRecord.Parse("{\"s\":" + literal + "}");
            Assert.True(record.TryGetField("s", out var field));
            var reader = new Utf8JsonReader(field.RawValue.Span);
            reader.Read();
            var expected = reader.GetString()!;

            Assert.True(field.TryGetString(chars, out var written));
            Assert.Equal(expected, new string(chars, 0, written));
            Assert.False(field.TryGetString(chars.AsSpan(0, Math.Max(0, expected.Length - 1)), out _) && expected.Length > 0);
            foreach (var other in Strings)
            {
                var otherRecord = JsonRecord.Parse("{\"s\":" + other + "}");
                otherRecord.TryGetString("s", out string? otherText);
                var otherUtf8 = Encoding.UTF8.GetBytes(otherText!);

                Assert.Equal(reader.ValueTextEquals(otherUtf8), field.ValueEquals(otherUtf8));
                Assert.Equal(expected == otherText, field.ValueEquals(otherUtf8));
                Assert.Equal(expected == otherText, field.ValueEquals(otherText.AsSpan()));
            }
        }
    }

    private static void WriteObject(Random random, StringBuilder text, int depth)
    {
        text.Append(random.Next(4) == 0 ? " { " : "{");
        var count = random.Next(depth == 0 ? 1 : 0, 7);
        for (var i = 0; i < count; i++)
        {
            text.Append(i > 0 ? (random.Next(3) == 0 ? " ,\n" : ",") : "");
            text.Append('"').Append(Names[random.Next(Names.Length)]).Append('"').Append(random.Next(3) == 0 ? " : " : ":");
            switch (random.Next(depth < 2 ? 6 : 4))
            {
                case 0: text.Append(Strings[random.Next(Strings.Length)]); break;
                case 1: text.Append(random.Next(3) switch { 0 => "12", 1 => "-0.5e3", _ => "1234.56" }); break;
                case 2: text.Append(random.Next(3) switch { 0 => "true", 1 => "null", _ => "[1, \"]\", {\"a\":[]}]" }); break;
                case 3: text.Append("\"plain\""); break;
                default: WriteObject(random, text, depth + 1); break;
            }
        }

        text.Append(random.Next(4) == 0 ? " } " : "}");
    }
}
