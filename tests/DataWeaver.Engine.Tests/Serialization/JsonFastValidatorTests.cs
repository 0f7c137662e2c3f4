using System.Text;
using System.Text.Json;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>
/// The quick check behind <see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/> may only ever say
/// "valid" where <see cref="Utf8JsonReader"/> agrees; wherever it is unsure, the reader decides (and reports) as before.
/// </summary>
public sealed class JsonFastValidatorTests
{
    private static readonly byte[] Noise = "{}[]\"\\,:0-.eE+ tfnu/x\u0001\t"u8.ToArray();

    [Fact]
    public void IsCertainlyValidObject_MutatedRecords_NeverAcceptsWhatTheReaderRejects()
    {
        var random = new Random(20261207);
        int accepted = 0, rejectedByBoth = 0, originals = 0;
        for (var n = 0; n < 4_000; n++)
        {
            var text = new StringBuilder();
            WriteObject(random, text, depth: 0);
            var original = Encoding.UTF8.GetBytes(text.ToString());
            Assert.True(JsonReference.ReaderAccepts(original, 64), text.ToString());
            if (!text.ToString().Contains("\\u", StringComparison.Ordinal))
            {
                Assert.True(JsonFastValidator.IsCertainlyValidObject(original, 64), text.ToString()); // the quick path is taken
                originals++;
            }

            for (var m = 0; m < 8; m++)
            {
                var mutated = JsonReference.Mutate(random, original, Noise);
                if (!System.Text.Unicode.Utf8.IsValid(mutated))
                {
                    continue; // checked before the quick check, which assumes valid UTF-8
                }

                var fast = JsonFastValidator.IsCertainlyValidObject(mutated, 64);
                var reader = JsonReference.ReaderAccepts(mutated, 64);
                Assert.False(fast && !reader, "accepted invalid JSON: " + Encoding.UTF8.GetString(mutated));
                accepted += fast ? 1 : 0;
                rejectedByBoth += !fast && !reader ? 1 : 0;
            }
        }

        Assert.True(originals > 1_500, $"{originals}"); // the rest hold a \u escape, left to the reader
        Assert.True(accepted > 1_000 && rejectedByBoth > 10_000, $"accepted {accepted}, rejected {rejectedByBoth}: the mutations must hit both sides");
    }

    [Theory]
    [InlineData("""{"a":01}""")]
    [InlineData("""{"a":1.}""")]
    [InlineData("""{"a":-}""")]
    [InlineData("""{"a":.5}""")]
    [InlineData("""{"a":1e}""")]
    [InlineData("""{"a":+1}""")]
    [InlineData("""{"a":[1,]}""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{a:1}""")]
    [InlineData("""{"a":tru}""")]
    [InlineData("""{"a":truex}""")]
    [InlineData("""{"a":"\x"}""")]
    [InlineData("{\"a\":\"tab\there\"}")]
    [InlineData("""{"a":"open}""")]
    [InlineData("""{}{}""")]
    [InlineData("""{} x""")]
    [InlineData("""[]""")]
    [InlineData("""{"a":/*c*/1}""")]
    [InlineData("""{"a":1}}""")]
    [InlineData("""{"a":[}""")]
    [InlineData("""{"a":{]}""")]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":"\u12"}""")]
    public void Parse_InvalidJson_QuickCheckUnsureAndTheReaderRejects(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.False(JsonFastValidator.IsCertainlyValidObject(bytes, 64));
        Assert.Throws<DeserializationException>(() => JsonRecord.Parse(bytes.AsMemory()));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData(""" { "a" : [ 1 , -0.5e+3 , 0 , -0 , 12E-2 , true , false , null , "x\n\"\\\/\b\f\r\t" , { } , [ ] ] } """)]
    [InlineData("""{"caf\u00e9":"\ud83d\ude00"}""")]
    [InlineData("{\"\u00e9t\u00e9\":\"na\u00efve\"}")]
    public void Parse_ValidJson_Accepted(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.Equal(!json.Contains("\\u", StringComparison.Ordinal), JsonFastValidator.IsCertainlyValidObject(bytes, 64));
        Assert.Equal(json, JsonRecord.Parse(bytes.AsMemory()).ToString());
    }

    [Fact]
    public void Parse_NestingAroundTheDepthLimit_SameVerdictAsTheReader()
    {
        for (var limit = 1; limit <= 6; limit++)
        {
            for (var depth = 1; depth <= 8; depth++)
            {
                var json = Encoding.UTF8.GetBytes("{\"a\":" + string.Concat(Enumerable.Repeat("[", depth - 1)) + "1" + string.Concat(Enumerable.Repeat("]", depth - 1)) + "}");
                var expected = JsonReference.ReaderAccepts(json, limit);
                var options = new JsonRecordOptions { MaxDepth = limit };

                var parsed = Record.Exception(() => JsonRecord.Parse(json.AsMemory(), options)) is null;

                Assert.True(expected == parsed, $"limit {limit}, depth {depth}: reader {expected}, parse {parsed}");
            }
        }
    }

    private static void WriteObject(Random random, StringBuilder text, int depth)
    {
        text.Append(Space(random)).Append('{');
        var fields = random.Next(depth == 0 ? 1 : 0, 5);
        for (var i = 0; i < fields; i++)
        {
            text.Append(i > 0 ? "," : "").Append(Space(random));
            WriteString(random, text);
            text.Append(Space(random)).Append(':').Append(Space(random));
            WriteValue(random, text, depth + 1);
            text.Append(Space(random));
        }

        text.Append('}').Append(Space(random));
    }

    private static void WriteValue(Random random, StringBuilder text, int depth)
    {
        switch (random.Next(depth > 3 ? 6 : 8))
        {
            case 0:
                WriteString(random, text);
                break;
            case 1:
                text.Append(random.Next(3) switch { 0 => "0", 1 => "-12", _ => "123456789012" });
                break;
            case 2:
                text.Append(random.Next(4) switch { 0 => "1.5", 1 => "-0.25e+10", 2 => "3E-2", _ => "0.0" });
                break;
            case 3:
                text.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 4 or 5:
                WriteString(random, text);
                break;
            case 6:
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

    private static void WriteString(Random random, StringBuilder text)
    {
        text.Append('"');
        var parts = random.Next(0, 4);
        for (var i = 0; i < parts; i++)
        {
            text.Append(random.Next(8) switch
            {
                0 => "\\n",
                1 => "\\\"",
                2 => "\\u00e9",
                3 => "caf\u00e9",
                4 => "{[,:]}",
                _ => "user-42",
            });
        }

        text.Append('"');
    }

    private static string Space(Random random) => random.Next(5) switch { 0 => " ", 1 => "\r\n\t", _ => "" };
}
