using System.Text;
using System.Text.Json;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary><see cref="JsonField"/>'s numbers are parsed without a reader: the values must be those the reader reads.</summary>
public sealed class JsonFieldNumberTests
{
    [Fact]
    public void TryGetDoubleAndDecimal_ManyNumbers_SameAsTheReader()
    {
        var random = new Random(20261207);
        string[] fixedCases = ["0", "-0", "1", "-1", "0.1", "1e2", "1E+2", "1e-2", "123456789012345678901234567890", "79228162514264337593543950335", "79228162514264337593543950336", "-79228162514264337593543950336", "1e28", "1e29", "1e-29", "1e400", "-1e400", "1e-400", "0.0000000000000000000000000001", "0.00000000000000000000000000001", "2.5e-5", "9007199254740993", "1.7976931348623157e308", "4.9e-324", "123.456e3"];
        var cases = fixedCases.Concat(Enumerable.Range(0, 20_000).Select(_ => RandomNumber(random)));
        foreach (var text in cases)
        {
            var record = JsonRecord.Parse("{\"n\":" + text + "}");
            Assert.True(record.TryGetField("n", out var field));
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            reader.Read();

            Assert.Equal((reader.TryGetDouble(out var d), d), (field.TryGetDouble(out var d2), d2));
            Assert.Equal((reader.TryGetDecimal(out var m), m), (field.TryGetDecimal(out var m2), m2));
        }
    }

    private static string RandomNumber(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(3) == 0)
        {
            text.Append('-');
        }

        if (random.Next(5) == 0)
        {
            text.Append('0');
        }
        else
        {
            text.Append((char)('1' + random.Next(9)));
            AppendDigits(random, text, random.Next(0, 34));
        }

        if (random.Next(2) == 0)
        {
            AppendDigits(random, text.Append('.'), random.Next(1, 15));
        }

        if (random.Next(3) == 0)
        {
            text.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" }).Append(random.Next(0, 420));
        }

        return text.ToString();
    }

    private static void AppendDigits(Random random, StringBuilder text, int count)
    {
        for (var i = 0; i < count; i++)
        {
            text.Append((char)('0' + random.Next(10)));
        }
    }
}
