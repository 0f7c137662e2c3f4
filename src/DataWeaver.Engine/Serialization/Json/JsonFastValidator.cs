using System.Buffers;
using System.Text.Json;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// A one-pass check of one JSON object, for <see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>,
/// that can locate the record's depth-1 properties while it checks (<see cref="TryValidateAndFind"/>), so that a step
/// reading several fields of each record it has just parsed does not walk the record twice. It answers "certainly
/// valid" for the records met in practice (objects, arrays, strings with the short escapes, numbers, literals, shallow
/// nesting, UTF-8 text in strings) and "unsure" for anything else, invalid input included, which
/// <see cref="System.Text.Json.Utf8JsonReader"/> then checks and reports as before.
/// </summary>
/// <remarks>
/// It MUST never call valid what the reader (after the UTF-8 check) rejects: it accepts only RFC 8259 JSON as the reader
/// reads it by default (no comments, no trailing commas, one value), a strict subset when unsure (a <c>\u</c> escape,
/// nesting at or beyond the depth limit or 64, any byte out of place). UTF-8 is checked only when a string held a byte
/// above 0x7F (elsewhere such a byte is out of place anyway). The size limit is checked by the caller before.
/// </remarks>
internal static class JsonFastValidator
{
    private const int NonAscii = 1;
    private const int Escaped = 2;

    /// <summary>What <see cref="TryValidateAndFind"/> found out.</summary>
    internal enum Outcome
    {
        /// <summary>Not certainly valid: the reader must check (and report) the text.</summary>
        Unsure,

        /// <summary>Certainly valid; the fields asked for were located (a length of 0: no such property).</summary>
        Valid,

        /// <summary>Certainly valid, but a depth-1 name with an escape came before every field was found: locate the fields with the reader's comparison.</summary>
        ValidFieldsUnsure,
    }

    /// <summary>Per byte inside a string: 0 plain ASCII, 1 the closing quote, 2 a backslash, 3 a control byte (invalid), 4 a byte above 0x7F.</summary>
    private static ReadOnlySpan<byte> StringClass =>
    [
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    ];

    /// <summary>What ends a long plain run of a string's bytes: its closing quote, an escape, a control byte, or a byte above 0x7F.</summary>
    private static readonly SearchValues<byte> StringStops = SearchValues.Create([(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b), .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    /// <summary>The same without the bytes above 0x7F, once one was seen (the UTF-8 check is then made over the whole text).</summary>
    private static readonly SearchValues<byte> AsciiStringStops = SearchValues.Create([(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

    /// <summary>Whether <paramref name="data"/> is certainly one JSON object, valid UTF-8, nested less than <paramref name="maxDepth"/> deep.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="maxDepth">The reader's depth limit (0: its default, 64).</param>
    /// <returns><see langword="true"/> when certainly valid; <see langword="false"/> when unsure (maybe invalid).</returns>
    public static bool IsCertainlyValidObject(ReadOnlySpan<byte> data, int maxDepth) =>
        TryValidateAndFind(data, maxDepth, default, default) != Outcome.Unsure;

    /// <summary>
    /// Checks <paramref name="data"/> as <see cref="IsCertainlyValidObject"/> does and, in the same pass, finds the first
    /// depth-1 property named by the first name of each of <paramref name="paths"/> (raw name bytes, as
    /// <see cref="JsonObjectScanner.TryFindAll"/> finds them): <paramref name="found"/>[k] gets its value's start,
    /// length and kind, or a length of 0.
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <param name="maxDepth">The reader's depth limit (0: its default, 64).</param>
    /// <param name="paths">The fields to locate; may be empty.</param>
    /// <param name="found">At least as long as <paramref name="paths"/>.</param>
    /// <returns>Whether the text is certainly valid, and whether the fields found can be trusted.</returns>
    public static Outcome TryValidateAndFind(ReadOnlySpan<byte> data, int maxDepth, ReadOnlySpan<JsonFieldPath> paths, Span<(int Start, int Length, JsonTokenType Type)> found)
    {
        var limit = Math.Min(maxDepth <= 0 ? 64 : maxDepth, 64);
        found[..paths.Length].Clear();
        var i = SkipWhitespace(data, 0);
        if ((uint)i >= (uint)data.Length || data[i] != (byte)'{' || limit <= 1)
        {
            return Outcome.Unsure;
        }

        var flags = 0;
        var fieldsUnsure = false;
        var missing = paths.Length;

        i = SkipWhitespace(data, i + 1);
        if ((uint)i < (uint)data.Length && data[i] == (byte)'}')
        {
            i++;
        }
        else
        {
            while (true)
            {
                if ((uint)i >= (uint)data.Length || data[i] != (byte)'"')
                {
                    return Outcome.Unsure;
                }

                var nameStart = i + 1;
                var nameFlags = 0;
                i = SkipString(data, nameStart, ref nameFlags);
                if (i < 0)
                {
                    return Outcome.Unsure;
                }

                flags |= nameFlags;
                var name = data[nameStart..(i - 1)];
                i = SkipWhitespace(data, i);
                if ((uint)i >= (uint)data.Length || data[i] != (byte)':')
                {
                    return Outcome.Unsure;
                }

                var valueStart = SkipWhitespace(data, i + 1);
                i = SkipValue(data, valueStart, 1, limit, ref flags, out var type);
                if (i < 0)
                {
                    return Outcome.Unsure;
                }

                if (missing > 0)
                {
                    if ((nameFlags & Escaped) != 0)
                    {
                        fieldsUnsure = true; // the reader compares the name unescaped: it may be one of the paths
                        missing = 0;
                    }
                    else
                    {
                        var key = NameKey(name);
                        for (var k = 0; k < paths.Length; k++)
                        {
                            // The first property of a name wins; paths sharing a first name are all found.
                            if (paths[k].FirstNameKey == key && found[k].Length == 0 && name.SequenceEqual(paths[k].Utf8Names[0]))
                            {
                                found[k] = (valueStart, i - valueStart, type);
                                missing--;
                            }
                        }
                    }
                }

                i = SkipWhitespace(data, i);
                if ((uint)i >= (uint)data.Length)
                {
                    return Outcome.Unsure;
                }

                if (data[i] == (byte)',')
                {
                    i = SkipWhitespace(data, i + 1);
                    continue;
                }

                if (data[i] != (byte)'}')
                {
                    return Outcome.Unsure;
                }

                i++;
                break;
            }
        }

        if (SkipWhitespace(data, i) != data.Length || ((flags & NonAscii) != 0 && !System.Text.Unicode.Utf8.IsValid(data)))
        {
            return Outcome.Unsure;
        }

        return fieldsUnsure ? Outcome.ValidFieldsUnsure : Outcome.Valid;
    }

    /// <summary>A name's length and first two bytes in one number (equal names have equal keys).</summary>
    internal static int NameKey(ReadOnlySpan<byte> name) => name.Length switch
    {
        0 => 0,
        1 => 1 | (name[0] << 16),
        _ => Math.Min(name.Length, 0xFFFF) | (name[0] << 16) | (name[1] << 24),
    };

    /// <summary>The index just past the value at <paramref name="i"/>, inside a container at <paramref name="depth"/>; -1 when unsure.</summary>
    private static int SkipValue(ReadOnlySpan<byte> data, int i, int depth, int limit, ref int flags, out JsonTokenType type)
    {
        if ((uint)i >= (uint)data.Length)
        {
            type = JsonTokenType.None;
            return -1;
        }

        switch (data[i])
        {
            case (byte)'"':
                type = JsonTokenType.String;
                return SkipString(data, i + 1, ref flags);
            case (byte)'{':
                type = JsonTokenType.StartObject;
                return depth + 1 >= limit ? -1 : SkipObject(data, i + 1, depth + 1, limit, ref flags);
            case (byte)'[':
                type = JsonTokenType.StartArray;
                return depth + 1 >= limit ? -1 : SkipArray(data, i + 1, depth + 1, limit, ref flags);
            case (byte)'t':
                type = JsonTokenType.True;
                return data[i..].StartsWith("true"u8) ? i + 4 : -1;
            case (byte)'f':
                type = JsonTokenType.False;
                return data[i..].StartsWith("false"u8) ? i + 5 : -1;
            case (byte)'n':
                type = JsonTokenType.Null;
                return data[i..].StartsWith("null"u8) ? i + 4 : -1;
            default:
                type = JsonTokenType.Number;
                return SkipNumber(data, i);
        }
    }

    /// <summary>The index just past the <c>}</c> of the object whose content starts at <paramref name="i"/>; -1 when unsure.</summary>
    private static int SkipObject(ReadOnlySpan<byte> data, int i, int depth, int limit, ref int flags)
    {
        i = SkipWhitespace(data, i);
        if ((uint)i < (uint)data.Length && data[i] == (byte)'}')
        {
            return i + 1;
        }

        while (true)
        {
            if ((uint)i >= (uint)data.Length || data[i] != (byte)'"' || (i = SkipString(data, i + 1, ref flags)) < 0)
            {
                return -1;
            }

            i = SkipWhitespace(data, i);
            if ((uint)i >= (uint)data.Length || data[i] != (byte)':')
            {
                return -1;
            }

            i = SkipValue(data, SkipWhitespace(data, i + 1), depth, limit, ref flags, out _);
            if (i < 0)
            {
                return -1;
            }

            i = SkipWhitespace(data, i);
            if ((uint)i >= (uint)data.Length)
            {
                return -1;
            }

            if (data[i] == (byte)'}')
            {
                return i + 1;
            }

            if (data[i] != (byte)',')
            {
                return -1;
            }

            i = SkipWhitespace(data, i + 1);
        }
    }

    /// <summary>The index just past the <c>]</c> of the array whose content starts at <paramref name="i"/>; -1 when unsure.</summary>
    private static int SkipArray(ReadOnlySpan<byte> data, int i, int depth, int limit, ref int flags)
    {
        i = SkipWhitespace(data, i);
        if ((uint)i < (uint)data.Length && data[i] == (byte)']')
        {
            return i + 1;
        }

        while (true)
        {
            i = SkipValue(data, i, depth, limit, ref flags, out _);
            if (i < 0)
            {
                return -1;
            }

            i = SkipWhitespace(data, i);
            if ((uint)i >= (uint)data.Length)
            {
                return -1;
            }

            if (data[i] == (byte)']')
            {
                return i + 1;
            }

            if (data[i] != (byte)',')
            {
                return -1;
            }

            i = SkipWhitespace(data, i + 1);
        }
    }

    /// <summary>
    /// The index after the closing quote of the string whose content starts at <paramref name="i"/>; -1 when unsure.
    /// Adds <see cref="NonAscii"/> and <see cref="Escaped"/> to <paramref name="flags"/> for what it met.
    /// </summary>
    private static int SkipString(ReadOnlySpan<byte> data, int i, ref int flags)
    {
        var classes = StringClass;

        // Most strings are short: a table-driven loop over the first bytes beats a vectorized search's set-up.
        for (var end = Math.Min(data.Length, i + 24); i < end;)
        {
            switch (classes[data[i]])
            {
                case 0:
                    i++;
                    continue;
                case 1:
                    return i + 1;
                case 2:
                    if (!IsShortEscape(data, i + 1))
                    {
                        return -1; // a \u escape (its surrogates are the reader's to judge), a bad escape
                    }

                    flags |= Escaped;
                    i += 2;
                    continue;
                case 3:
                    return -1; // a control byte
                default:
                    flags |= NonAscii;
                    i++;
                    continue;
            }
        }

        while (true)
        {
            var stop = (uint)i < (uint)data.Length ? data[i..].IndexOfAny((flags & NonAscii) != 0 ? AsciiStringStops : StringStops) : -1;
            if (stop < 0)
            {
                return -1;
            }

            i += stop;
            switch (classes[data[i]])
            {
                case 1:
                    return i + 1;
                case 2 when IsShortEscape(data, i + 1):
                    flags |= Escaped;
                    i += 2;
                    continue;
                case 4:
                    flags |= NonAscii;
                    i++;
                    continue;
                default:
                    return -1;
            }
        }
    }

    private static bool IsShortEscape(ReadOnlySpan<byte> data, int i) =>
        (uint)i < (uint)data.Length && data[i] is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t';

    /// <summary>The index after the number at <paramref name="i"/> (RFC 8259's grammar); -1 when it is not one.</summary>
    private static int SkipNumber(ReadOnlySpan<byte> data, int i)
    {
        if ((uint)i < (uint)data.Length && data[i] == (byte)'-')
        {
            i++;
        }

        if ((uint)i >= (uint)data.Length || !char.IsAsciiDigit((char)data[i]))
        {
            return -1;
        }

        if (data[i++] != (byte)'0')
        {
            i = SkipDigits(data, i);
        }

        if ((uint)i < (uint)data.Length && data[i] == (byte)'.')
        {
            if ((uint)++i >= (uint)data.Length || !char.IsAsciiDigit((char)data[i]))
            {
                return -1;
            }

            i = SkipDigits(data, i);
        }

        if ((uint)i < (uint)data.Length && data[i] is (byte)'e' or (byte)'E')
        {
            if ((uint)++i < (uint)data.Length && data[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if ((uint)i >= (uint)data.Length || !char.IsAsciiDigit((char)data[i]))
            {
                return -1;
            }

            i = SkipDigits(data, i);
        }

        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> data, int i)
    {
        while ((uint)i < (uint)data.Length && char.IsAsciiDigit((char)data[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> data, int i)
    {
        while ((uint)i < (uint)data.Length && data[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }
}
