using System.Globalization;
using System.Numerics;

namespace DataWeaver.Serialization.Avro.Generic;

/// <summary>
/// A decimal value that does not fit <see cref="decimal"/> (more than 28 digits of scale or 96 bits of
/// unscaled value): an arbitrary-size unscaled integer and a scale. Value = <see cref="Unscaled"/> x 10^-<see cref="Scale"/>.
/// </summary>
/// <param name="Unscaled">The unscaled integer.</param>
/// <param name="Scale">The number of digits after the decimal point.</param>
public readonly record struct AvroDecimal(BigInteger Unscaled, int Scale)
{
    /// <summary>Formats the value in fixed-point notation, e.g. <c>-12.340</c>.</summary>
    /// <returns>The invariant fixed-point text.</returns>
    public override string ToString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture);
        var sign = Unscaled.Sign < 0 ? "-" : string.Empty;
        if (Scale <= 0)
        {
            return sign + digits + new string('0', -Scale);
        }

        digits = digits.PadLeft(Scale + 1, '0');
        return sign + digits[..^Scale] + "." + digits[^Scale..];
    }
}
