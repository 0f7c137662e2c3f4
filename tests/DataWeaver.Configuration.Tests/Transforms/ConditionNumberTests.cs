using System.Buffers.Text;
using System.Text;
using DataWeaver.Configuration.Internal.Transforms;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>The comparisons' own reading of plain numbers agrees with the general decimal parser (issue 13).</summary>
public sealed class ConditionNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("123.99")]
    [InlineData("-100.50")]
    [InlineData("0.00000000000000001")]
    [InlineData("999999999999999999")]
    [InlineData("99999999999999999.9")]
    public void TryParsePlain_PlainNumber_SameValueAsUtf8Parser(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        Assert.True(Utf8Parser.TryParse(utf8, out decimal expected, out _));

        Assert.True(Conditions.TryParsePlain(utf8, out var value));

        Assert.Equal(expected, value);
        Assert.Equal(0, value.CompareTo(expected));
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("1.5E-2")]
    [InlineData("1234567890123456789")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("1.2.3")]
    public void TryParsePlain_ExponentOrTooManyDigits_LeavesItToTheGeneralParser(string text)
    {
        Assert.False(Conditions.TryParsePlain(Encoding.UTF8.GetBytes(text), out _));
    }
}
