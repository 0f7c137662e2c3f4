using System.Numerics;
using DataWeaver.Serialization.Avro.Generic;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>Conversions between logical-type values and their underlying Avro values.</summary>
internal static class LogicalValues
{
    private const long EpochTicks = 621355968000000000L;
    private const int EpochDayNumber = 719162;
    private const long TicksPerDay = TimeSpan.TicksPerDay;

    public static bool TryDate(long days, out DateOnly date)
    {
        var dayNumber = days + EpochDayNumber;
        if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber)
        {
            date = default;
            return false;
        }

        date = DateOnly.FromDayNumber((int)dayNumber);
        return true;
    }

    public static int ToDays(DateOnly date) => date.DayNumber - EpochDayNumber;

    public static bool TryTime(long value, long ticksPerUnit, out TimeOnly time)
    {
        if (value < 0 || value >= TicksPerDay / ticksPerUnit)
        {
            time = default;
            return false;
        }

        time = new TimeOnly(value * ticksPerUnit);
        return true;
    }

    public static long FromTimeTicks(long ticks, long ticksPerUnit) => ticks / ticksPerUnit;

    public static bool TryTimestamp(long value, long ticksPerUnit, DateTimeKind kind, out DateTime dateTime)
    {
        var min = (DateTime.MinValue.Ticks - EpochTicks) / ticksPerUnit;
        var max = (DateTime.MaxValue.Ticks - EpochTicks) / ticksPerUnit;
        if (value < min || value > max)
        {
            dateTime = default;
            return false;
        }

        dateTime = new DateTime(EpochTicks + (value * ticksPerUnit), kind);
        return true;
    }

    /// <summary>Converts an instant to units since the UTC epoch; an unspecified kind is taken as UTC.</summary>
    public static long FromInstant(object value, long ticksPerUnit)
    {
        var ticks = value switch
        {
            DateTime { Kind: DateTimeKind.Local } d => d.ToUniversalTime().Ticks,
            DateTime d => d.Ticks,
            DateTimeOffset o => o.UtcTicks,
            _ => throw new InvalidCastException(),
        };
        return Math.DivRem(ticks - EpochTicks, ticksPerUnit) is var (q, r) && r < 0 ? q - 1 : q;
    }

    /// <summary>Converts a local date-time to units since the local epoch, ignoring its kind.</summary>
    public static long FromLocal(object value, long ticksPerUnit)
    {
        var ticks = value switch
        {
            DateTime d => d.Ticks,
            DateTimeOffset o => o.Ticks,
            _ => throw new InvalidCastException(),
        };
        return Math.DivRem(ticks - EpochTicks, ticksPerUnit) is var (q, r) && r < 0 ? q - 1 : q;
    }

    /// <summary>Reads a two's-complement big-endian unscaled value; returns a <see cref="decimal"/> when it fits, otherwise an <see cref="AvroDecimal"/>.</summary>
    public static object DecimalFromBytes(ReadOnlySpan<byte> bytes, int scale)
    {
        var unscaled = bytes.IsEmpty ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: false, isBigEndian: true);
        return DecimalFromUnscaled(unscaled, scale);
    }

    public static object DecimalFromUnscaled(BigInteger unscaled, int scale)
    {
        var magnitude = BigInteger.Abs(unscaled);
        if (scale <= 28 && magnitude.GetBitLength() <= 96)
        {
            Span<byte> b = stackalloc byte[12];
            magnitude.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
            var lo = BitConverter.ToInt32(b[..4]);
            var mid = BitConverter.ToInt32(b[4..8]);
            var hi = BitConverter.ToInt32(b[8..]);
            return new decimal(lo, mid, hi, unscaled.Sign < 0, (byte)scale);
        }

        return new AvroDecimal(unscaled, scale);
    }

    /// <summary>Gets the unscaled value of a decimal at the schema's scale; false when the value has more fractional digits than the scale.</summary>
    public static bool TryGetUnscaled(object value, int scale, out BigInteger unscaled)
    {
        BigInteger mantissa;
        int valueScale;
        switch (value)
        {
            case decimal d:
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(d, bits);
                Span<byte> bytes = stackalloc byte[12];
                BitConverter.TryWriteBytes(bytes[..4], bits[0]);
                BitConverter.TryWriteBytes(bytes[4..8], bits[1]);
                BitConverter.TryWriteBytes(bytes[8..], bits[2]);
                mantissa = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
                if (d < 0)
                {
                    mantissa = -mantissa;
                }

                valueScale = (bits[3] >> 16) & 0xff;
                break;
            case AvroDecimal a:
                mantissa = a.Unscaled;
                valueScale = a.Scale;
                break;
            default:
                throw new InvalidCastException();
        }

        if (valueScale <= scale)
        {
            unscaled = mantissa * BigInteger.Pow(10, scale - valueScale);
            return true;
        }

        var divisor = BigInteger.Pow(10, valueScale - scale);
        unscaled = BigInteger.DivRem(mantissa, divisor, out var remainder);
        return remainder.IsZero;
    }
}
