using System.Buffers;
using System.Text.Json;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Finds a property of a JSON object whose text was already validated (by <see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>
/// or a writer): it only looks for the structural bytes (quotes, brackets, commas), with vectorized searches, instead of
/// checking every token again as <see cref="Utf8JsonReader"/> does. Whatever it does not expect (an escaped property
/// name, bytes that are not the JSON it was promised) makes it answer <see cref="Result.Unsure"/>, and the caller then
/// reads with <see cref="Utf8JsonReader"/>, whose answer (or <see cref="JsonException"/>) stands.
/// </summary>
internal static class JsonObjectScanner
{
    /// <summary>The bytes that end the plain run of a string: its closing quote or an escape.</summary>
    private static readonly SearchValues<byte> StringStops = SearchValues.Create("\"\\"u8);

    /// <summary>The bytes that matter inside an object or array being skipped.</summary>
    private static readonly SearchValues<byte> NestedStops = SearchValues.Create("\"{}[]"u8);

    /// <summary>What a scan found out.</summary>
    internal enum Result
    {
        /// <summary>The object has no property of that name.</summary>
        NotFound,

        /// <summary>The first property of that name was found.</summary>
        Found,

        /// <summary>The scan met something it leaves to <see cref="Utf8JsonReader"/> (an escaped name, malformed bytes).</summary>
        Unsure,
    }

    /// <summary>Finds the first property named <paramref name="utf8Name"/> (compared with the raw, unescaped name bytes) at depth 1 of <paramref name="json"/>.</summary>
    internal static Result TryFind(ReadOnlySpan<byte> json, ReadOnlySpan<byte> utf8Name, out int start, out int length, out JsonTokenType type)
    {
        start = 0;
        length = 0;
        type = JsonTokenType.None;
        var walk = Begin(json, out var i);
        while (walk == Step.Property)
        {
            if (!TryReadProperty(json, ref i, out var name, out var valueStart, out var valueEnd, out var valueType))
            {
                return Result.Unsure;
            }

            if (name.SequenceEqual(utf8Name))
            {
                (start, length, type) = (valueStart, valueEnd - valueStart, valueType);
                return Result.Found;
            }

            walk = Next(json, ref i);
        }

        return walk == Step.End ? Result.NotFound : Result.Unsure;
    }

    /// <summary>
    /// Finds, in one pass over the object's properties at depth 1, the first property named by the first name of each of
    /// <paramref name="paths"/> (raw, unescaped name bytes): <paramref name="found"/>[k] gets its value's start, length
    /// and type, or a length of 0 when the object has no such property. Stops once every name is found.
    /// </summary>
    /// <returns><see langword="false"/> when the scan met something it leaves to <see cref="Utf8JsonReader"/> (<see cref="Result.Unsure"/>).</returns>
    internal static bool TryFindAll(ReadOnlySpan<byte> json, ReadOnlySpan<JsonFieldPath> paths, Span<(int Start, int Length, JsonTokenType Type)> found)
    {
        found[..paths.Length].Clear();
        var missing = paths.Length;
        var walk = Begin(json, out var i);
        while (walk == Step.Property && missing > 0)
        {
            if (!TryReadProperty(json, ref i, out var name, out var valueStart, out var valueEnd, out var valueType))
            {
                return false;
            }

            for (var k = 0; k < paths.Length; k++)
            {
                // The first property of a name wins, as TryFind answers; paths sharing a first name are all found.
                if (found[k].Length == 0 && name.SequenceEqual(paths[k].Utf8Names[0]))
                {
                    found[k] = (valueStart, valueEnd - valueStart, valueType);
                    missing--;
                }
            }

            walk = Next(json, ref i);
        }

        return walk != Step.Unsure;
    }

    /// <summary>Where a walk over an object's properties stands.</summary>
    internal enum Step
    {
        /// <summary>A property starts at the index.</summary>
        Property,

        /// <summary>The object ended.</summary>
        End,

        /// <summary>Something the scan leaves to the reader.</summary>
        Unsure,
    }

    /// <summary>Steps into the object: <paramref name="i"/> at its first property's quote.</summary>
    internal static Step Begin(ReadOnlySpan<byte> json, out int i)
    {
        i = SkipWhitespace(json, 0);
        if ((uint)i >= (uint)json.Length || json[i] != (byte)'{')
        {
            return Step.Unsure;
        }

        i = SkipWhitespace(json, i + 1);
        return (uint)i < (uint)json.Length && json[i] == (byte)'}' ? Step.End : Step.Property;
    }

    /// <summary>Reads the name and skips the value of the property at <paramref name="i"/>, leaving <paramref name="i"/> just past the value.</summary>
    internal static bool TryReadProperty(ReadOnlySpan<byte> json, ref int i, out ReadOnlySpan<byte> name, out int valueStart, out int valueEnd, out JsonTokenType valueType)
    {
        name = default;
        (valueStart, valueEnd, valueType) = (0, -1, JsonTokenType.None);
        if ((uint)i >= (uint)json.Length || json[i] != (byte)'"')
        {
            return false;
        }

        // Names are short: a plain loop beats a vectorized search's set-up.
        var nameStart = i + 1;
        var nameEnd = nameStart;
        while ((uint)nameEnd < (uint)json.Length && json[nameEnd] != (byte)'"')
        {
            if (json[nameEnd] == (byte)'\\')
            {
                return false; // an escaped name: Utf8JsonReader compares it unescaped
            }

            nameEnd++;
        }

        if ((uint)nameEnd >= (uint)json.Length)
        {
            return false;
        }

        name = json[nameStart..nameEnd];
        i = SkipWhitespace(json, nameEnd + 1);
        if ((uint)i >= (uint)json.Length || json[i] != (byte)':')
        {
            return false;
        }

        valueStart = SkipWhitespace(json, i + 1);
        valueEnd = SkipValue(json, valueStart, out valueType);
        i = valueEnd;
        return valueEnd >= 0;
    }

    /// <summary>Steps past the comma after a value to the next property, or reports the object's end.</summary>
    internal static Step Next(ReadOnlySpan<byte> json, ref int i)
    {
        i = SkipWhitespace(json, i);
        if ((uint)i >= (uint)json.Length)
        {
            return Step.Unsure;
        }

        if (json[i] == (byte)'}')
        {
            return Step.End;
        }

        if (json[i] != (byte)',')
        {
            return Step.Unsure;
        }

        i = SkipWhitespace(json, i + 1);
        return Step.Property;
    }

    /// <summary>Returns the index just past the value starting at <paramref name="i"/>, or -1 when the bytes are not a value.</summary>
    private static int SkipValue(ReadOnlySpan<byte> json, int i, out JsonTokenType type)
    {
        type = JsonTokenType.None;
        if ((uint)i >= (uint)json.Length)
        {
            return -1;
        }

        switch (json[i])
        {
            case (byte)'"':
                type = JsonTokenType.String;
                return SkipString(json, i + 1);
            case (byte)'{':
                type = JsonTokenType.StartObject;
                return SkipNested(json, i + 1);
            case (byte)'[':
                type = JsonTokenType.StartArray;
                return SkipNested(json, i + 1);
            case (byte)'t':
                type = JsonTokenType.True;
                return Literal(json, i, "true"u8);
            case (byte)'f':
                type = JsonTokenType.False;
                return Literal(json, i, "false"u8);
            case (byte)'n':
                type = JsonTokenType.Null;
                return Literal(json, i, "null"u8);
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                type = JsonTokenType.Number;
                return SkipNumber(json, i + 1);
            default:
                return -1;
        }
    }

    /// <summary>Returns the index of the first byte after the number, or -1 when the text ends in it (a number never ends an object's text).</summary>
    private static int SkipNumber(ReadOnlySpan<byte> json, int i)
    {
        while ((uint)i < (uint)json.Length)
        {
            if (json[i] is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    private static int Literal(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal) =>
        json[i..].StartsWith(literal) ? i + literal.Length : -1;

    /// <summary>Returns the index just past the closing quote of the string whose content starts at <paramref name="i"/>, or -1.</summary>
    private static int SkipString(ReadOnlySpan<byte> json, int i)
    {
        // Most strings are short: a plain loop over the first bytes beats a vectorized search's set-up.
        for (var end = Math.Min(json.Length, i + 16); i < end; i++)
        {
            var b = json[i];
            if (b == (byte)'"')
            {
                return i + 1;
            }

            if (b == (byte)'\\')
            {
                break;
            }
        }

        while ((uint)i < (uint)json.Length)
        {
            var stop = json[i..].IndexOfAny(StringStops);
            if (stop < 0)
            {
                return -1;
            }

            i += stop;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2; // an escape: the backslash and the byte after it (\uXXXX's digits hold no quote)
        }

        return -1;
    }

    /// <summary>Returns the index just past the bracket closing the object or array whose content starts at <paramref name="i"/>, or -1.</summary>
    private static int SkipNested(ReadOnlySpan<byte> json, int i)
    {
        var depth = 1;
        while ((uint)i < (uint)json.Length)
        {
            var stop = json[i..].IndexOfAny(NestedStops);
            if (stop < 0)
            {
                return -1;
            }

            i += stop;
            switch (json[i])
            {
                case (byte)'"':
                    i = SkipString(json, i + 1);
                    if (i < 0)
                    {
                        return -1;
                    }

                    continue;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                default:
                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }

            i++;
        }

        return -1;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while ((uint)i < (uint)json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
