using System.Globalization;
using System.Text;
using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Configuration.Internal.Transforms;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Connectors;

/// <summary>The generator's records written into shared chunks, and the template written without strings (issue 13).</summary>
public sealed class GeneratedRecordsTests
{
    private static GeneratedRecordSpec Spec(Dictionary<string, object?> fields)
    {
        List<ConfigurationError> errors = [];
        var spec = GeneratedRecordSpec.Compile(ConfigValue.FromObject(fields, "fields"), errors);
        Assert.Empty(errors);
        return spec;
    }

    [Fact]
    public void Generate_MoreRecordsThanOneChunkHolds_EveryRecordKeepsItsOwnBytes()
    {
        var spec = Spec(new() { ["id"] = new Dictionary<string, object?> { ["number"] = new Dictionary<string, object?>() }, ["customer"] = "customer-{n % 10007}", ["note"] = new string('x', 200) });

        // ~250 bytes each: 3,000 records fill about 11 chunks of 64 KiB; all are kept and read only at the end.
        var records = Enumerable.Range(0, 3000).Select(n => spec.Generate(n)).ToList();

        for (var n = 0; n < records.Count; n++)
        {
            var expected = $$"""{"id":{{n}},"customer":"customer-{{n % 10007}}","note":"{{new string('x', 200)}}"}""";
            Assert.Equal(expected, Encoding.UTF8.GetString(records[n].Utf8.Span));
            JsonRecord.Parse(records[n].Utf8); // and each is one valid JSON object
        }
    }

    [Fact]
    public void Generate_TemplateLongerThanTheStackBuffer_WritesTheWholeText()
    {
        var prefix = new string('p', 300);
        var spec = Spec(new() { ["name"] = prefix + "-{n * 3}-{n}" });

        var record = spec.Generate(41);

        Assert.True(record.TryGetString("name", out var name));
        Assert.Equal(prefix + "-123-41", name);
    }

    [Fact]
    public void Generate_TemplateWithEscapedCharacters_SameTextAsTheStringRendering()
    {
        var spec = Spec(new() { ["text"] = "a \"quoted\" {{braced}} é {n - 1}\t" });

        var record = spec.Generate(0);

        Assert.True(record.TryGetString("text", out var text));
        Assert.Equal("a \"quoted\" {braced} é -1\t", text);
    }

    [Theory]
    [InlineData("a \"quoted\" {{braced}} é <tag> & {n - 1}\t\u0001")]
    [InlineData("{n}")]
    [InlineData("{n % 3}-{n * 2}")]
    public void Generate_Template_SameBytesAsTheWriterEscapingTheRenderedText(string template)
    {
        var spec = Spec(new() { ["text"] = template });

        for (var n = 0; n < 5; n++)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteString("text", Render(template, n));
                writer.WriteEndObject();
            }

            Assert.Equal(Encoding.UTF8.GetString(buffer.WrittenSpan), Encoding.UTF8.GetString(spec.Generate(n).Utf8.Span));
        }
    }

    private static string Render(string template, long n) => template
        .Replace("{n - 1}", (n - 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{n % 3}", (n % 3).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{n * 2}", (n * 2).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{n}", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{{", "{", StringComparison.Ordinal)
        .Replace("}}", "}", StringComparison.Ordinal);

    [Fact]
    public void Generate_NestedObjectField_RecordIsValidJson()
    {
        var spec = Spec(new() { ["outer"] = new Dictionary<string, object?> { ["object"] = new Dictionary<string, object?> { ["inner"] = "v{n}" } }, ["list"] = new Dictionary<string, object?> { ["value"] = new object[] { 1, "two" } } });

        var record = spec.Generate(7);

        var parsed = JsonRecord.Parse(record.Utf8); // a checked record: nested values are validated
        Assert.True(parsed.TryGetString("outer.inner", out var inner));
        Assert.Equal("v7", inner);
        Assert.True(parsed.TryGetField("list", out var list));
        Assert.Equal(System.Text.Json.JsonValueKind.Array, list.Kind);
    }

    [Theory]
    [InlineData("500", "1", "0.99")]
    [InlineData("0", "0.5", "0.50")]
    [InlineData("7", "2.25", "0")]
    [InlineData("0", "1.5", "0.000000001")]
    [InlineData("0", "-0.5", "0.99")]
    [InlineData("0", "1000000000", "0.5")]
    public void Generate_FractionalNumber_SameTextAsTheDecimalSum(string mod, string multiply, string add)
    {
        var (m, k, a) = (decimal.Parse(mod, CultureInfo.InvariantCulture), decimal.Parse(multiply, CultureInfo.InvariantCulture), decimal.Parse(add, CultureInfo.InvariantCulture));
        var spec = Spec(new() { ["v"] = new Dictionary<string, object?> { ["number"] = new Dictionary<string, object?> { ["mod"] = m, ["multiply"] = k, ["add"] = a } } });

        foreach (var n in new long[] { 0, 1, 9, 99, 100, 499, 500, 123_456_789, 9_000_000_000_000_000_000, long.MaxValue })
        {
            var expected = ((m > 0 ? n % (long)m : n) * k) + a;
            Assert.Equal($$"""{"v":{{expected.ToString(CultureInfo.InvariantCulture)}}}""", Encoding.UTF8.GetString(spec.Generate(n).Utf8.Span));
        }
    }

    [Fact]
    public void TakeUnchecked_AfterAnAbandonedRecord_NextRecordHoldsOnlyItsOwnBytes()
    {
        var chunk = RecordChunkWriter.ForThisThread;
        chunk.GetSpan(5)[..5].Fill((byte)'z');
        chunk.Advance(5); // written, never taken: as when a transform throws mid-record

        chunk = RecordChunkWriter.ForThisThread;
        "{\"a\":1}"u8.CopyTo(chunk.GetSpan(7));
        chunk.Advance(7);
        var record = chunk.TakeUnchecked();

        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(record.Utf8.Span));
    }
}
