using System.Buffers;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// A one-pass structural check of one JSON object, for <see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>:
/// it answers "certainly valid" for the records met in practice (objects, arrays, strings with the short escapes,
/// numbers, literals, shallow nesting) about twice as fast as a <see cref="System.Text.Json.Utf8JsonReader"/> walk, and
/// "unsure" for anything else, invalid input included, which the reader then checks and reports as before.
/// </summary>
/// <remarks>
/// It MUST never call valid what the reader rejects: it accepts only RFC 8259 JSON as the reader reads it by default
/// (no comments, no trailing commas, one value), a strict subset when unsure (a <c>\u</c> escape, nesting at or beyond the
/// depth limit or 64, any byte out of place). UTF-8 and the size limit are checked by the caller before.
/// </remarks>
internal static class JsonFastValidator
{
    private const int ExpectValue = 0;
    private const int AfterValue = 1;
    private const int ObjectFirst = 2;
    private const int ExpectName = 3;
    private const int ArrayFirst = 4;

    /// <summary>What ends the plain run of a string's bytes: its closing quote, an escape, or a control byte (invalid in a string).</summary>
    private static readonly SearchValues<byte> StringStops = SearchValues.Create([(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

    /// <summary>Whether <paramref name="data"/> is certainly one JSON object nested less than <paramref name="maxDepth"/> deep.</summary>
    /// <param name="data">The bytes (valid UTF-8: checked before).</param>
    /// <param name="maxDepth">The reader's depth limit (0: its default, 64).</param>
    /// <returns><see langword="true"/> when certainly valid; <see langword="false"/> when unsure (maybe invalid).</returns>
    public static bool IsCertainlyValidObject(ReadOnlySpan<byte> data, int maxDepth)
    {
        var limit = Math.Min(maxDepth <= 0 ? 64 : maxDepth, 64);
        var i = SkipWhitespace(data, 0);
        if (i >= data.Length || data[i] != (byte)'{')
        {
            return false;
        }

        ulong objects = 0; // one bit per open container, the innermost lowest: 1 for an object, 0 for an array
        var depth = 0;
        var state = ExpectValue;
        while (true)
        {
            i = SkipWhitespace(data, i);
            if (state == AfterValue && depth == 0)
            {
                return i == data.Length;
            }

            if (i >= data.Length)
            {
                return false;
            }

            var b = data[i];
            switch (state)
            {
                case ExpectValue:
                    switch (b)
                    {
                        case (byte)'{' or (byte)'[':
                            if (++depth >= limit)
                            {
                                return false;
                            }

                            objects = (objects << 1) | (b == (byte)'{' ? 1UL : 0UL);
                            state = b == (byte)'{' ? ObjectFirst : ArrayFirst;
                            i++;
                            continue;
                        case (byte)'"':
                            i = SkipString(data, i + 1);
                            break;
                        case (byte)'t':
                            i = data[i..].StartsWith("true"u8) ? i + 4 : -1;
                            break;
                        case (byte)'f':
                            i = data[i..].StartsWith("false"u8) ? i + 5 : -1;
                            break;
                        case (byte)'n':
                            i = data[i..].StartsWith("null"u8) ? i + 4 : -1;
                            break;
                        default:
                            i = SkipNumber(data, i);
                            break;
                    }

                    if (i < 0)
                    {
                        return false;
                    }

                    state = AfterValue;
                    continue;
                case ObjectFirst when b == (byte)'}':
                case ArrayFirst when b == (byte)']':
                    i++;
                    depth--;
                    objects >>= 1;
                    state = AfterValue;
                    continue;
                case ObjectFirst or ExpectName:
                    if (b != (byte)'"' || (i = SkipString(data, i + 1)) < 0)
                    {
                        return false;
                    }

                    i = SkipWhitespace(data, i);
                    if (i >= data.Length || data[i] != (byte)':')
                    {
                        return false;
                    }

                    i++;
                    state = ExpectValue;
                    continue;
                case ArrayFirst:
                    state = ExpectValue; // the first element, read at the same byte
                    continue;
                default: // AfterValue, inside a container
                    var inObject = (objects & 1) == 1;
                    if (b == (byte)',')
                    {
                        i++;
                        state = inObject ? ExpectName : ExpectValue;
                        continue;
                    }

                    if (b != (inObject ? (byte)'}' : (byte)']'))
                    {
                        return false;
                    }

                    i++;
                    depth--;
                    objects >>= 1;
                    continue;
            }
        }
    }

    /// <summary>The index after the closing quote of the string whose content starts at <paramref name="i"/>; -1 when unsure.</summary>
    private static int SkipString(ReadOnlySpan<byte> data, int i)
    {
        while (true)
        {
            var stop = i < data.Length ? data[i..].IndexOfAny(StringStops) : -1;
            if (stop < 0)
            {
                return -1;
            }

            i += stop;
            switch (data[i])
            {
                case (byte)'"':
                    return i + 1;
                case (byte)'\\' when i + 1 < data.Length && data[i + 1] is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    continue;
                default:
                    return -1; // a \u escape (its surrogates are the reader's to judge), a bad escape or a control byte
            }
        }
    }

    /// <summary>The index after the number at <paramref name="i"/> (RFC 8259's grammar); -1 when it is not one.</summary>
    private static int SkipNumber(ReadOnlySpan<byte> data, int i)
    {
        if (i < data.Length && data[i] == (byte)'-')
        {
            i++;
        }

        if (i >= data.Length || !char.IsAsciiDigit((char)data[i]))
        {
            return -1;
        }

        if (data[i++] != (byte)'0')
        {
            i = SkipDigits(data, i);
        }

        if (i < data.Length && data[i] == (byte)'.')
        {
            if (++i >= data.Length || !char.IsAsciiDigit((char)data[i]))
            {
                return -1;
            }

            i = SkipDigits(data, i);
        }

        if (i < data.Length && data[i] is (byte)'e' or (byte)'E')
        {
            if (++i < data.Length && data[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if (i >= data.Length || !char.IsAsciiDigit((char)data[i]))
            {
                return -1;
            }

            i = SkipDigits(data, i);
        }

        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> data, int i)
    {
        while (i < data.Length && char.IsAsciiDigit((char)data[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> data, int i)
    {
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }
}
