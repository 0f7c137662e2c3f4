using System.Text;
using System.Text.Json;
using DataWeaver.Serialization.Internal;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// One JSON object as UTF-8 bytes, for pipelines that work on JSON without a C# type (for example pipelines
/// defined in configuration files). <see cref="Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/> validates the bytes
/// once; fields are then read straight from the bytes, without building a document and without allocating
/// (see <see cref="TryGetField(string, out JsonField)"/>). <see cref="JsonRecordTransform"/> writes changed copies.
/// </summary>
/// <remarks>
/// <para><b>Lifetime.</b> A record borrows its bytes. When they point into a pooled payload buffer (a
/// <c>JsonLinesSource</c> line), the record, and every <see cref="JsonField"/> read from it, is valid only until
/// that source record is acknowledged. Call <see cref="Detach"/> to copy it into memory of its own before keeping it
/// longer. Reading a record whose buffer was recycled is undefined (typically a <see cref="JsonException"/>).</para>
/// <para><b>Duplicate names.</b> Reads see the first field of a name. (System.Text.Json's typed deserializers keep the last.)</para>
/// <para>A <see langword="default"/> record is empty: it has no fields.</para>
/// </remarks>
public readonly struct JsonRecord : IEquatable<JsonRecord>
{
    internal static readonly JsonReaderOptions ReadOptions = new() { MaxDepth = 1000 };

    /// <summary>The longest field name (in characters) encoded on the stack for a lookup; longer ones are read with <see cref="Utf8JsonReader"/>.</summary>
    private const int MaxStackNameChars = 128;

    private const int MaxStackFields = 32;

    internal JsonRecord(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>Gets the UTF-8 JSON text of the object, as it was parsed (borrowed; see the remarks on lifetime).</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>Gets a value indicating whether this is the <see langword="default"/> record, which has no bytes and no fields.</summary>
    public bool IsDefault => Utf8.IsEmpty;

    /// <summary>Equality of two records: the same bytes in the same memory (not equal JSON).</summary>
    /// <param name="left">A record.</param>
    /// <param name="right">Another record.</param>
    /// <returns><see langword="true"/> when both borrow the same bytes.</returns>
    public static bool operator ==(JsonRecord left, JsonRecord right) => left.Equals(right);

    /// <summary>Inequality of two records: not the same bytes in the same memory.</summary>
    /// <param name="left">A record.</param>
    /// <param name="right">Another record.</param>
    /// <returns><see langword="true"/> when they borrow different bytes.</returns>
    public static bool operator !=(JsonRecord left, JsonRecord right) => !left.Equals(right);

    /// <summary>
    /// Validates one JSON object and wraps its bytes without copying them. The whole text is checked once: well-formed
    /// JSON, valid UTF-8, an object at the top, nothing after it but whitespace, within the size and depth limits.
    /// </summary>
    /// <param name="utf8">The UTF-8 JSON text of exactly one object. Borrowed: it must stay unchanged while the record is used.</param>
    /// <param name="options">The limits; <see langword="null"/> uses <see cref="JsonRecordOptions.Default"/> (1 MiB, depth 64).</param>
    /// <returns>The record.</returns>
    /// <exception cref="DeserializationException">The text is not a valid JSON object within the limits; the offset is the byte at fault.</exception>
    public static JsonRecord Parse(ReadOnlyMemory<byte> utf8, JsonRecordOptions? options = null)
    {
        Validate(utf8.Span, options ?? JsonRecordOptions.Default);
        return new JsonRecord(utf8);
    }

    /// <summary>
    /// Wraps the UTF-8 text of one JSON object without validating it, for codecs that have just written the object
    /// themselves with a validating <see cref="Utf8JsonWriter"/> (from names and decoded values, no raw JSON), so that
    /// each record is not checked a second time. The caller MUST guarantee what <see cref="Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>
    /// checks: exactly one well-formed JSON object, valid UTF-8, within the size and depth limits of the
    /// <see cref="JsonRecordOptions"/> the records are used with (by default 1 MiB and depth 64). Reading a record that breaks
    /// this contract is undefined (typically a <see cref="JsonException"/>): when in doubt, call
    /// <see cref="Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>.
    /// </summary>
    /// <param name="utf8">The UTF-8 JSON text of exactly one object. Borrowed: it must stay unchanged while the record is used.</param>
    /// <returns>The record over <paramref name="utf8"/>; nothing is copied or checked.</returns>
    public static JsonRecord CreateUnchecked(ReadOnlyMemory<byte> utf8) => new(utf8);

    /// <summary>Encodes a string as UTF-8 and parses it as one JSON object (the record owns the bytes). Handy for tests and constants.</summary>
    /// <param name="json">The JSON text of one object.</param>
    /// <param name="options">The limits; <see langword="null"/> uses <see cref="JsonRecordOptions.Default"/>.</param>
    /// <returns>The record.</returns>
    /// <exception cref="DeserializationException">The text is not a valid JSON object within the limits.</exception>
    public static JsonRecord Parse(string json, JsonRecordOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), options);
    }

    /// <summary>Copies the record's bytes into a new array it owns, so it outlives the buffer it was read from.</summary>
    /// <returns>A record over its own copy of the bytes. Allocates one array of <c>Utf8.Length</c> bytes.</returns>
    public JsonRecord Detach() => new(Utf8.ToArray());

    /// <summary>Finds a field by dotted path, e.g. <c>customer.address.city</c>. Does not allocate.</summary>
    /// <param name="path">The path: names separated by <c>.</c>.</param>
    /// <param name="field">The field, when found.</param>
    /// <returns><see langword="true"/> when every name along the path exists and every step but the last is an object.</returns>
    public bool TryGetField(string path, out JsonField field)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        field = default;
        if (IsDefault)
        {
            return false;
        }

        var value = Utf8;
        var rest = path.AsSpan();
        while (true)
        {
            var dot = rest.IndexOf('.');
            var name = dot < 0 ? rest : rest[..dot];
            if (name.IsEmpty)
            {
                ThrowHelper.ThrowArgumentOutOfRange(nameof(path), path, "A field path may not have an empty name.");
            }

            if (!TryFind(value.Span, default, name, useUtf8: false, out var start, out var length, out var type))
            {
                return false;
            }

            value = value.Slice(start, length);
            if (dot < 0)
            {
                field = new JsonField(value, type);
                return true;
            }

            if (type != JsonTokenType.StartObject)
            {
                return false;
            }

            rest = rest[(dot + 1)..];
        }
    }

    /// <summary>Finds a field by a pre-encoded path: the names are compared as UTF-8 bytes. Does not allocate.</summary>
    /// <param name="path">The path.</param>
    /// <param name="field">The field, when found.</param>
    /// <returns><see langword="true"/> when every name along the path exists and every step but the last is an object.</returns>
    public bool TryGetField(JsonFieldPath path, out JsonField field)
    {
        ArgumentNullException.ThrowIfNull(path);
        field = default;
        if (IsDefault)
        {
            return false;
        }

        return TryGetField(path.Utf8Names, 0, out field);
    }

    /// <summary>Follows <paramref name="names"/> from index <paramref name="from"/> down the record's objects.</summary>
    private bool TryGetField(byte[][] names, int from, out JsonField field)
    {
        field = default;
        var value = Utf8;
        for (var i = from; i < names.Length; i++)
        {
            if (!TryFind(value.Span, names[i], default, useUtf8: true, out var start, out var length, out var type))
            {
                return false;
            }

            value = value.Slice(start, length);
            if (i == names.Length - 1)
            {
                field = new JsonField(value, type);
                return true;
            }

            if (type != JsonTokenType.StartObject)
            {
                return false;
            }
        }

        return false;
    }

    private int GetFieldsOneByOne(ReadOnlySpan<JsonFieldPath> paths, Span<JsonField> fields)
    {
        var count = 0;
        for (var k = 0; k < paths.Length; k++)
        {
            if (TryGetField(paths[k], out var field))
            {
                fields[k] = field;
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Locates several fields in one pass over the record, for a step that reads many fields of every record (one
    /// <see cref="TryGetField(JsonFieldPath, out JsonField)"/> per field scans from the record's start each time). Each
    /// field found is what <see cref="TryGetField(JsonFieldPath, out JsonField)"/> would return for its path (the first
    /// property of a name); a path of several names is followed from its first name's value. Allocates nothing.
    /// </summary>
    /// <param name="paths">The fields to locate (parse each path once and keep it).</param>
    /// <param name="fields">Receives, at each path's index, its field, or <see langword="default"/> (<see cref="JsonValueKind.Undefined"/>) when the record has none; at least as long as <paramref name="paths"/>.</param>
    /// <returns>How many of the paths were found.</returns>
    /// <exception cref="ArgumentException"><paramref name="fields"/> is shorter than <paramref name="paths"/>, or a path is <see langword="null"/>.</exception>
    public int GetFields(ReadOnlySpan<JsonFieldPath> paths, Span<JsonField> fields)
    {
        CheckFieldArguments(paths, fields);
        fields[..paths.Length].Clear();
        if (IsDefault || paths.IsEmpty)
        {
            return 0;
        }

        Span<(int Start, int Length, JsonTokenType Type)> found = paths.Length <= MaxStackFields
            ? stackalloc (int, int, JsonTokenType)[paths.Length]
            : new (int, int, JsonTokenType)[paths.Length];
        if (!JsonObjectScanner.TryFindAll(Utf8.Span, paths, found))
        {
            return GetFieldsOneByOne(paths, fields); // something the scan leaves to Utf8JsonReader: each field as TryGetField finds it
        }

        return FillFields(paths, found, fields);
    }

    /// <summary>
    /// Validates one JSON object, as <see cref="Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/> does, and locates
    /// several of its fields in the same pass, as <see cref="GetFields"/> does: for a step that parses each record and
    /// then reads several of its fields, this walks the bytes once instead of twice. Allocates nothing for up to 32 paths.
    /// </summary>
    /// <param name="utf8">The UTF-8 JSON text of exactly one object. Borrowed: it must stay unchanged while the record is used.</param>
    /// <param name="paths">The fields to locate (parse each path once and keep it).</param>
    /// <param name="fields">Receives, at each path's index, its field, or <see langword="default"/> (<see cref="JsonValueKind.Undefined"/>) when the record has none; at least as long as <paramref name="paths"/>.</param>
    /// <param name="found">How many of the paths were found.</param>
    /// <param name="options">The limits; <see langword="null"/> uses <see cref="JsonRecordOptions.Default"/> (1 MiB, depth 64).</param>
    /// <returns>The record.</returns>
    /// <exception cref="DeserializationException">The text is not a valid JSON object within the limits; the offset is the byte at fault (the same error as <see cref="Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>'s).</exception>
    /// <exception cref="ArgumentException"><paramref name="fields"/> is shorter than <paramref name="paths"/>, or a path is <see langword="null"/>.</exception>
    public static JsonRecord Parse(ReadOnlyMemory<byte> utf8, ReadOnlySpan<JsonFieldPath> paths, Span<JsonField> fields, out int found, JsonRecordOptions? options = null)
    {
        CheckFieldArguments(paths, fields);
        options ??= JsonRecordOptions.Default;
        var data = utf8.Span;
        if (data.Length > options.MaxRecordBytes)
        {
            throw JsonErrors.TooLarge(data.Length, options.MaxRecordBytes);
        }

        fields[..paths.Length].Clear();
        Span<(int Start, int Length, JsonTokenType Type)> located = paths.Length <= MaxStackFields
            ? stackalloc (int, int, JsonTokenType)[paths.Length]
            : new (int, int, JsonTokenType)[paths.Length];
        var outcome = JsonFastValidator.TryValidateAndFind(data, options.MaxDepth, paths, located);
        var record = new JsonRecord(utf8);
        if (outcome == JsonFastValidator.Outcome.Valid)
        {
            found = paths.IsEmpty ? 0 : record.FillFields(paths, located, fields);
            return record;
        }

        if (outcome == JsonFastValidator.Outcome.Unsure)
        {
            ValidateWithReader(data, options); // reports the fault, or finds the text valid after all
        }

        found = record.GetFields(paths, fields);
        return record;
    }

    private static void CheckFieldArguments(ReadOnlySpan<JsonFieldPath> paths, Span<JsonField> fields)
    {
        if (fields.Length < paths.Length)
        {
            ThrowHelper.ThrowArgument(nameof(fields), "The span for the fields is shorter than the list of paths.");
        }

        foreach (var path in paths)
        {
            if (path is null)
            {
                ThrowHelper.ThrowArgument(nameof(paths), "A field path is null.");
            }
        }
    }

    /// <summary>Turns the depth-1 values located for <paramref name="paths"/> into fields, following longer paths down.</summary>
    private int FillFields(ReadOnlySpan<JsonFieldPath> paths, ReadOnlySpan<(int Start, int Length, JsonTokenType Type)> located, Span<JsonField> fields)
    {
        var count = 0;
        for (var k = 0; k < paths.Length; k++)
        {
            var (start, length, type) = located[k];
            if (length == 0)
            {
                continue;
            }

            var field = new JsonField(Utf8.Slice(start, length), type);
            var names = paths[k].Utf8Names;
            if (names.Length > 1 && !(type == JsonTokenType.StartObject && new JsonRecord(field.RawValue).TryGetField(names, 1, out field)))
            {
                continue;
            }

            fields[k] = field;
            count++;
        }

        return count;
    }

    /// <summary>Reads a string field into a caller's buffer, unescaped. Does not allocate.</summary>
    /// <param name="path">The dotted path.</param>
    /// <param name="destination">Where the characters go.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="true"/> when the field exists, is a string and fits in <paramref name="destination"/>.</returns>
    public bool TryGetString(string path, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        return TryGetField(path, out var f) && f.TryGetString(destination, out charsWritten);
    }

    /// <summary>Reads a string field into a caller's buffer, unescaped. Does not allocate.</summary>
    /// <param name="path">The pre-encoded path.</param>
    /// <param name="destination">Where the characters go.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="true"/> when the field exists, is a string and fits in <paramref name="destination"/>.</returns>
    public bool TryGetString(JsonFieldPath path, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        return TryGetField(path, out var f) && f.TryGetString(destination, out charsWritten);
    }

    /// <summary>Reads a string field as a new <see cref="string"/> (allocates it).</summary>
    /// <param name="path">The dotted path.</param>
    /// <param name="value">The string, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a string.</returns>
    public bool TryGetString(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        return TryGetField(path, out var f) && f.TryGetString(out value);
    }

    /// <summary>Reads an integer field. Does not allocate.</summary>
    /// <param name="path">The dotted path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a number that fits a <see cref="long"/> exactly.</returns>
    public bool TryGetInt64(string path, out long value)
    {
        value = 0;
        return TryGetField(path, out var f) && f.TryGetInt64(out value);
    }

    /// <summary>Reads an integer field. Does not allocate.</summary>
    /// <param name="path">The pre-encoded path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a number that fits a <see cref="long"/> exactly.</returns>
    public bool TryGetInt64(JsonFieldPath path, out long value)
    {
        value = 0;
        return TryGetField(path, out var f) && f.TryGetInt64(out value);
    }

    /// <summary>Reads a number field as a <see cref="double"/>. Does not allocate.</summary>
    /// <param name="path">The dotted path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a finite number.</returns>
    public bool TryGetDouble(string path, out double value)
    {
        value = 0;
        return TryGetField(path, out var f) && f.TryGetDouble(out value);
    }

    /// <summary>Reads a number field as a <see cref="double"/>. Does not allocate.</summary>
    /// <param name="path">The pre-encoded path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a finite number.</returns>
    public bool TryGetDouble(JsonFieldPath path, out double value)
    {
        value = 0;
        return TryGetField(path, out var f) && f.TryGetDouble(out value);
    }

    /// <summary>Reads a number field as a <see cref="decimal"/>. Does not allocate.</summary>
    /// <param name="path">The dotted path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a number within the range of <see cref="decimal"/>.</returns>
    public bool TryGetDecimal(string path, out decimal value)
    {
        value = 0;
        return TryGetField(path, out var f) && f.TryGetDecimal(out value);
    }

    /// <summary>Reads a number field as a <see cref="decimal"/>. Does not allocate.</summary>
    /// <param name="path">The pre-encoded path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is a number within the range of <see cref="decimal"/>.</returns>
    public bool TryGetDecimal(JsonFieldPath path, out decimal value)
    {
        value = 0;
        return TryGetField(path, out var f) && f.TryGetDecimal(out value);
    }

    /// <summary>Reads a <c>true</c>/<c>false</c> field. Does not allocate.</summary>
    /// <param name="path">The dotted path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is <c>true</c> or <c>false</c>.</returns>
    public bool TryGetBoolean(string path, out bool value)
    {
        value = false;
        return TryGetField(path, out var f) && f.TryGetBoolean(out value);
    }

    /// <summary>Reads a <c>true</c>/<c>false</c> field. Does not allocate.</summary>
    /// <param name="path">The pre-encoded path.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the field exists and is <c>true</c> or <c>false</c>.</returns>
    public bool TryGetBoolean(JsonFieldPath path, out bool value)
    {
        value = false;
        return TryGetField(path, out var f) && f.TryGetBoolean(out value);
    }

    /// <inheritdoc />
    public bool Equals(JsonRecord other) => Utf8.Equals(other.Utf8);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is JsonRecord other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Utf8.GetHashCode();

    /// <summary>Returns the JSON text (allocates a string).</summary>
    /// <returns>The JSON text, or an empty string for the <see langword="default"/> record.</returns>
    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);

    internal static void Validate(ReadOnlySpan<byte> data, JsonRecordOptions options)
    {
        if (data.Length > options.MaxRecordBytes)
        {
            throw JsonErrors.TooLarge(data.Length, options.MaxRecordBytes);
        }

        if (JsonFastValidator.IsCertainlyValidObject(data, options.MaxDepth))
        {
            return; // the common case, in one quick pass; anything it is unsure of is read, and reported, as before
        }

        ValidateWithReader(data, options);
    }

    /// <summary>The reference check, which reports the fault: the UTF-8 first, then <see cref="Utf8JsonReader"/>.</summary>
    private static void ValidateWithReader(ReadOnlySpan<byte> data, JsonRecordOptions options)
    {
        if (!System.Text.Unicode.Utf8.IsValid(data))
        {
            throw JsonErrors.InvalidUtf8(data);
        }

        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = options.MaxDepth });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new DeserializationException(JsonErrors.Format, reader.TokenStartIndex, "expected a JSON object, found " + Describe(reader.TokenType));
            }

            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            throw JsonErrors.From(data, exception);
        }
    }

    /// <summary>Finds a property of the object <paramref name="json"/> (depth 1 only) and returns where its value lies.</summary>
    /// <remarks>
    /// The bytes were validated when the record was made, so <see cref="JsonObjectScanner"/> looks only for the
    /// structural bytes; what it leaves open (an escaped name, a name that is not valid UTF-16) is read with
    /// <see cref="Utf8JsonReader"/>, as before.
    /// </remarks>
    internal static bool TryFind(ReadOnlySpan<byte> json, ReadOnlySpan<byte> utf8Name, ReadOnlySpan<char> name, bool useUtf8, out int start, out int length, out JsonTokenType type)
    {
        var result = JsonObjectScanner.Result.Unsure;
        (start, length, type) = (0, 0, JsonTokenType.None);
        if (useUtf8)
        {
            result = JsonObjectScanner.TryFind(json, utf8Name, out start, out length, out type);
        }
        else if (name.Length <= MaxStackNameChars)
        {
            Span<byte> encoded = stackalloc byte[MaxStackNameChars * 3];
            if (System.Text.Unicode.Utf8.FromUtf16(name, encoded, out _, out var written, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done)
            {
                result = JsonObjectScanner.TryFind(json, encoded[..written], out start, out length, out type);
            }
        }

        if (result != JsonObjectScanner.Result.Unsure)
        {
            return result == JsonObjectScanner.Result.Found;
        }

        return TryFindWithReader(json, utf8Name, name, useUtf8, out start, out length, out type);
    }

    /// <summary>The reference lookup: a <see cref="Utf8JsonReader"/> walk of the depth-1 properties.</summary>
    internal static bool TryFindWithReader(ReadOnlySpan<byte> json, ReadOnlySpan<byte> utf8Name, ReadOnlySpan<char> name, bool useUtf8, out int start, out int length, out JsonTokenType type)
    {
        var reader = new Utf8JsonReader(json, ReadOptions);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = useUtf8 ? reader.ValueTextEquals(utf8Name) : reader.ValueTextEquals(name);
            reader.Read();
            start = (int)reader.TokenStartIndex;
            type = reader.TokenType;
            if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            if (match)
            {
                length = (int)reader.BytesConsumed - start;
                return true;
            }
        }

        start = 0;
        length = 0;
        type = JsonTokenType.None;
        return false;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };
}
