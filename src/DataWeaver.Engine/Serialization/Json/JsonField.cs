using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// One field's value inside a <see cref="JsonRecord"/>: a slice of the record's bytes and its kind. Reading it does
/// not allocate unless a method says so. Borrowed like the record: valid only as long as the record's bytes.
/// </summary>
public readonly struct JsonField : IEquatable<JsonField>
{
    private const int MaxStackStringBytes = 256;

    private readonly JsonTokenType _type;

    internal JsonField(ReadOnlyMemory<byte> rawValue, JsonTokenType type)
    {
        RawValue = rawValue;
        _type = type;
    }

    /// <summary>Gets the value's JSON text as it is in the record (a string keeps its quotes and escapes).</summary>
    public ReadOnlyMemory<byte> RawValue { get; }

    /// <summary>Gets the kind of value: object, array, string, number, true, false or null (<see cref="JsonValueKind.Undefined"/> for a <see langword="default"/> field).</summary>
    public JsonValueKind Kind => _type switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    /// <summary>Equality of two fields: the same bytes in the same memory (not equal JSON).</summary>
    /// <param name="left">A field.</param>
    /// <param name="right">Another field.</param>
    /// <returns><see langword="true"/> when both borrow the same bytes.</returns>
    public static bool operator ==(JsonField left, JsonField right) => left.Equals(right);

    /// <summary>Inequality of two fields.</summary>
    /// <param name="left">A field.</param>
    /// <param name="right">Another field.</param>
    /// <returns><see langword="true"/> when they borrow different bytes.</returns>
    public static bool operator !=(JsonField left, JsonField right) => !left.Equals(right);

    /// <summary>Reads a number that fits a <see cref="long"/> exactly (no fraction, no exponent beyond it).</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when the value is such a number.</returns>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (_type != JsonTokenType.Number)
        {
            return false;
        }

        // What Utf8JsonReader.TryGetInt64 does with the number's bytes, without starting a reader for them.
        var span = RawValue.Span;
        if (System.Buffers.Text.Utf8Parser.TryParse(span, out long parsed, out var consumed) && consumed == span.Length)
        {
            value = parsed;
            return true;
        }

        return false;
    }

    /// <summary>Reads a number as the nearest <see cref="double"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when the value is a number within the range of <see cref="double"/>.</returns>
    public bool TryGetDouble(out double value)
    {
        value = 0;
        if (_type != JsonTokenType.Number)
        {
            return false;
        }

        // What Utf8JsonReader.TryGetDouble does with the number's bytes, without starting a reader for them (it is
        // asked only where this parse fails, so that a failure is always the reader's own).
        var span = RawValue.Span;
        if (System.Buffers.Text.Utf8Parser.TryParse(span, out double parsed, out var consumed) && consumed == span.Length && double.IsFinite(parsed))
        {
            value = parsed;
            return true;
        }

        var reader = Reader();
        return reader.TryGetDouble(out value);
    }

    /// <summary>Reads a number as a <see cref="decimal"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when the value is a number within the range of <see cref="decimal"/>.</returns>
    public bool TryGetDecimal(out decimal value)
    {
        value = 0;
        if (_type != JsonTokenType.Number)
        {
            return false;
        }

        var span = RawValue.Span;
        if (System.Buffers.Text.Utf8Parser.TryParse(span, out decimal parsed, out var consumed) && consumed == span.Length)
        {
            value = parsed; // as Utf8JsonReader.TryGetDecimal reads it, without starting a reader
            return true;
        }

        var reader = Reader();
        return reader.TryGetDecimal(out value);
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when the value is <c>true</c> or <c>false</c>.</returns>
    public bool TryGetBoolean(out bool value)
    {
        value = _type == JsonTokenType.True;
        return _type is JsonTokenType.True or JsonTokenType.False;
    }

    /// <summary>Copies a string value, unescaped, as UTF-16 into a caller's buffer. Does not allocate.</summary>
    /// <param name="destination">Where the characters go; a string of n UTF-8 bytes never needs more than n characters.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="true"/> when the value is a string and fits in <paramref name="destination"/>.</returns>
    public bool TryGetString(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (_type != JsonTokenType.String)
        {
            return false;
        }

        var content = RawValue.Span[1..^1];
        if (content.IndexOf((byte)'\\') < 0)
        {
            return System.Text.Unicode.Utf8.ToUtf16(content, destination, out _, out charsWritten, replaceInvalidSequences: false) == OperationStatus.Done; // what the reader's ValueSpan holds
        }

        var reader = Reader();

        if (destination.Length >= reader.ValueSpan.Length)
        {
            charsWritten = reader.CopyString(destination);
            return true;
        }

        byte[]? rented = null;
        var buffer = reader.ValueSpan.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length));
        try
        {
            var length = reader.CopyString(buffer);
            return System.Text.Unicode.Utf8.ToUtf16(buffer[..length], destination, out _, out charsWritten) == OperationStatus.Done;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Copies a string value, unescaped, as UTF-8 into a caller's buffer. Does not allocate.</summary>
    /// <param name="destination">Where the bytes go; never more than <c>RawValue.Length</c> bytes are needed.</param>
    /// <param name="bytesWritten">How many bytes were written.</param>
    /// <returns><see langword="true"/> when the value is a string and fits in <paramref name="destination"/>.</returns>
    public bool TryGetUtf8String(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (_type != JsonTokenType.String)
        {
            return false;
        }

        var reader = Reader();
        if (!reader.ValueIsEscaped)
        {
            if (!reader.ValueSpan.TryCopyTo(destination))
            {
                return false;
            }

            bytesWritten = reader.ValueSpan.Length;
            return true;
        }

        if (destination.Length >= reader.ValueSpan.Length)
        {
            bytesWritten = reader.CopyString(destination);
            return true;
        }

        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var length = reader.CopyString(rented);
            if (!rented.AsSpan(0, length).TryCopyTo(destination))
            {
                return false;
            }

            bytesWritten = length;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads a string value as a new <see cref="string"/> (allocates it).</summary>
    /// <param name="value">The string.</param>
    /// <returns><see langword="true"/> when the value is a string.</returns>
    public bool TryGetString([NotNullWhen(true)] out string? value)
    {
        value = null;
        if (_type != JsonTokenType.String)
        {
            return false;
        }

        // The common case, an unescaped short string: straight from its bytes, as the reader would decode them (strict
        // UTF-8; anything else, escapes or invalid bytes, goes through the reader, whose answer or error stands).
        var content = RawValue.Span[1..^1];
        var plain = content.IndexOf((byte)'\\') < 0;
        if (plain && System.Text.Ascii.IsValid(content))
        {
            value = System.Text.Encoding.ASCII.GetString(content); // ASCII: each byte is its character
            return true;
        }

        if (plain && content.Length <= MaxStackStringBytes)
        {
            Span<char> chars = stackalloc char[MaxStackStringBytes];
            if (System.Text.Unicode.Utf8.ToUtf16(content, chars, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done)
            {
                value = new string(chars[..written]);
                return true;
            }
        }

        var reader = Reader();
        value = reader.GetString()!;
        return true;
    }

    /// <summary>Compares a string value, unescaped, with UTF-8 text. Does not allocate.</summary>
    /// <param name="utf8Text">The UTF-8 text.</param>
    /// <returns><see langword="true"/> when the value is a string equal to <paramref name="utf8Text"/>, ordinally.</returns>
    public bool ValueEquals(ReadOnlySpan<byte> utf8Text)
    {
        if (_type != JsonTokenType.String)
        {
            return false;
        }

        var content = RawValue.Span[1..^1];
        if (content.IndexOf((byte)'\\') < 0)
        {
            return content.SequenceEqual(utf8Text); // unescaped: the bytes are the text, as the reader compares them
        }

        var reader = Reader();
        return reader.ValueTextEquals(utf8Text);
    }

    /// <summary>Compares a string value, unescaped, with text. Does not allocate for text of up to 85 characters.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when the value is a string equal to <paramref name="text"/>, ordinally.</returns>
    public bool ValueEquals(ReadOnlySpan<char> text)
    {
        if (_type != JsonTokenType.String)
        {
            return false;
        }

        var content = RawValue.Span[1..^1];
        if (content.IndexOf((byte)'\\') < 0 && System.Text.Ascii.IsValid(content))
        {
            return System.Text.Ascii.Equals(content, text); // plain ASCII: byte i is character i (non-ASCII text differs)
        }

        var reader = Reader();
        return reader.ValueTextEquals(text);
    }

    /// <summary>Gets a nested object as a record over the same bytes (borrowed like this field). Does not allocate.</summary>
    /// <param name="record">The nested object.</param>
    /// <returns><see langword="true"/> when the value is an object.</returns>
    public bool TryGetObject(out JsonRecord record)
    {
        record = _type == JsonTokenType.StartObject ? new JsonRecord(RawValue) : default;
        return _type == JsonTokenType.StartObject;
    }

    /// <inheritdoc />
    public bool Equals(JsonField other) => RawValue.Equals(other.RawValue) && _type == other._type;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is JsonField other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RawValue, _type);

    /// <summary>Returns the value's JSON text (allocates a string).</summary>
    /// <returns>The raw JSON text.</returns>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(RawValue.Span);

    private Utf8JsonReader Reader()
    {
        var reader = new Utf8JsonReader(RawValue.Span, JsonRecord.ReadOptions);
        reader.Read();
        return reader;
    }
}
