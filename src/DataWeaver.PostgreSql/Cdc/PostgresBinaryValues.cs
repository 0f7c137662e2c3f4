using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using DataWeaver.PostgreSql.Source;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>
/// Values of the types whose every value Npgsql's readers do not accept (<c>numeric</c> beyond <see cref="decimal"/>,
/// NaN or infinity; <c>interval</c> with months; dates and timestamps outside years 1 to 9999), decoded from the bytes
/// the server sent in binary, so that the bytes are still at hand when a value has no JSON form. They are written as
/// <see cref="PostgresRowDecoder"/> writes what Npgsql reads (<c>numeric</c> exactly, with its scale; infinite dates and
/// timestamps as the largest and smallest .NET values, as Npgsql reads them).
/// </summary>
internal static class PostgresBinaryValues
{
    private static readonly long DayNumberAt2000 = new DateOnly(2000, 1, 1).DayNumber;
    private static readonly long TicksAt2000 = new DateTime(2000, 1, 1).Ticks;

    /// <summary>Whether values of a type (or of an array's element type) are decoded here, from their bytes.</summary>
    public static bool DecodesHere(string element) =>
        element is "numeric" or "date" or "timestamp without time zone" or "timestamp with time zone" or "interval";

    /// <summary>Writes a value of <paramref name="element"/> (an array of them with <paramref name="array"/>) from its binary form.</summary>
    /// <returns><see langword="null"/> once written; otherwise why the value has no JSON form (what was written is to be dropped).</returns>
    public static string? TryWrite(Utf8JsonWriter writer, string element, bool array, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return array ? TryWriteArray(writer, element, bytes) : TryWriteScalar(writer, element, bytes);
        }
        catch (ArgumentOutOfRangeException)
        {
            return "the bytes are not a valid binary value of the type";
        }
    }

    private static string? TryWriteArray(Utf8JsonWriter writer, string element, ReadOnlySpan<byte> bytes)
    {
        var dimensions = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (dimensions == 0)
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
            return null;
        }

        var sizes = new int[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            sizes[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(12 + (8 * i))..]);
        }

        var rest = bytes[(12 + (8 * dimensions))..];
        return TryWriteDimension(writer, element, sizes, 0, ref rest);
    }

    private static string? TryWriteDimension(Utf8JsonWriter writer, string element, int[] sizes, int dimension, ref ReadOnlySpan<byte> rest)
    {
        writer.WriteStartArray();
        for (var i = 0; i < sizes[dimension]; i++)
        {
            string? failure;
            if (dimension + 1 < sizes.Length)
            {
                failure = TryWriteDimension(writer, element, sizes, dimension + 1, ref rest);
            }
            else
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(rest);
                rest = rest[4..];
                if (length < 0)
                {
                    writer.WriteNullValue();
                    continue;
                }

                failure = TryWriteScalar(writer, element, rest[..length]);
                rest = rest[length..];
            }

            if (failure is not null)
            {
                return $"element {i + 1}: {failure}";
            }
        }

        writer.WriteEndArray();
        return null;
    }

    private static string? TryWriteScalar(Utf8JsonWriter writer, string type, ReadOnlySpan<byte> bytes)
    {
        switch (type)
        {
            case "numeric":
                return TryWriteNumeric(writer, bytes);
            case "date":
                var days = BinaryPrimitives.ReadInt32BigEndian(bytes);
                var dayNumber = DayNumberAt2000 + days;
                DateOnly date;
                if (days is int.MaxValue or int.MinValue)
                {
                    date = days == int.MaxValue ? DateOnly.MaxValue : DateOnly.MinValue;
                }
                else if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber)
                {
                    return "a date outside years 1 to 9999";
                }
                else
                {
                    date = DateOnly.FromDayNumber((int)dayNumber);
                }

                PostgresRowDecoder.WriteValue(writer, date, PostgresRowDecoder.Kind.Date);
                return null;
            case "timestamp without time zone" or "timestamp with time zone":
                var zoned = type == "timestamp with time zone";
                var micros = BinaryPrimitives.ReadInt64BigEndian(bytes);
                DateTime time;
                if (micros is long.MaxValue or long.MinValue)
                {
                    time = micros == long.MaxValue ? DateTime.MaxValue : DateTime.MinValue;
                }
                else if (micros > (DateTime.MaxValue.Ticks - TicksAt2000) / 10 || micros < -TicksAt2000 / 10)
                {
                    return "a timestamp outside years 1 to 9999";
                }
                else
                {
                    time = new DateTime(TicksAt2000 + (micros * 10));
                }

                PostgresRowDecoder.WriteValue(writer, DateTime.SpecifyKind(time, zoned ? DateTimeKind.Utc : DateTimeKind.Unspecified), zoned ? PostgresRowDecoder.Kind.TimestampTz : PostgresRowDecoder.Kind.Timestamp);
                return null;
            case "interval":
                var intervalMicros = BinaryPrimitives.ReadInt64BigEndian(bytes);
                var intervalDays = BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
                var months = BinaryPrimitives.ReadInt32BigEndian(bytes[12..]);
                if (months != 0)
                {
                    return "an interval with months (their length in days is not fixed) has no time span form";
                }

                TimeSpan span;
                try
                {
                    span = checked(TimeSpan.FromDays(intervalDays) + TimeSpan.FromTicks(checked(intervalMicros * 10)));
                }
                catch (OverflowException)
                {
                    return "an interval beyond the range of a time span";
                }

                PostgresRowDecoder.WriteValue(writer, span, PostgresRowDecoder.Kind.Other);
                return null;
            default:
                return $"no binary decoder for {type}";
        }
    }

    /// <summary>numeric: ndigits, weight (of the first base-10000 digit), sign, display scale, then the base-10000 digits.</summary>
    private static string? TryWriteNumeric(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(bytes);
        var weight = BinaryPrimitives.ReadInt16BigEndian(bytes[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(bytes[6..]);
        switch (sign)
        {
            case 0xC000:
                return "numeric NaN has no JSON number";
            case 0xD000:
                return "numeric Infinity has no JSON number";
            case 0xF000:
                return "numeric -Infinity has no JSON number";
            case not (0x0000 or 0x4000):
                return "the bytes are not a valid binary numeric";
        }

        var digits = bytes[8..];
        if (count < 0 || digits.Length < 2 * count || scale < 0)
        {
            return "the bytes are not a valid binary numeric";
        }

        var length = 1 + (Math.Max(weight + 1, 1) * 4) + 1 + scale + 4; // a last group of 4 may pass the scale
        var rented = length <= 256 ? null : ArrayPool<byte>.Shared.Rent(length);
        var text = rented ?? stackalloc byte[256];
        var at = 0;
        if (sign == 0x4000)
        {
            text[at++] = (byte)'-';
        }

        if (weight < 0)
        {
            text[at++] = (byte)'0';
        }
        else
        {
            for (var i = 0; i <= weight; i++)
            {
                Digit(digits, count, i).TryFormat(text[at..], out var written, i == 0 ? default : "D4", CultureInfo.InvariantCulture);
                at += written;
            }
        }

        if (scale > 0)
        {
            text[at++] = (byte)'.';
            var end = at + scale;
            for (var i = weight + 1; at < end; i++)
            {
                Digit(digits, count, i).TryFormat(text[at..], out var written, "D4", CultureInfo.InvariantCulture);
                at += written;
            }

            at = end;
        }

        writer.WriteRawValue(text[..at], skipInputValidation: true);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return null;
    }

    /// <summary>The base-10000 digit at <paramref name="index"/> (0 beyond those sent).</summary>
    private static short Digit(ReadOnlySpan<byte> digits, short count, int index) =>
        index >= 0 && index < count ? BinaryPrimitives.ReadInt16BigEndian(digits[(2 * index)..]) : (short)0;
}
