using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace DataWeaver.Formats.Protobuf;

/// <summary>
/// Encodes a JSON record as a protobuf message straight from its UTF-8 text with <see cref="Utf8JsonReader"/> (no
/// document, no strings per field), for the shapes records usually have: scalar, string, bytes, enum and nested message
/// fields, repeated or not. Anything else (maps, floating-point or 64-bit values given as text other than plain digits,
/// escaped strings that are not valid UTF-16, values that do not fit) makes <see cref="TryEncode"/> give up, and
/// <see cref="ProtobufJsonCodec"/> takes its general path, which writes the same bytes or reports the error with the
/// field's path. Fields are written in the record's order, tag by tag, exactly as the general path writes them.
/// Thread-safe (scratch buffers are per thread).
/// </summary>
internal sealed class ProtobufJsonEncoder
{
    private const int MaxDepth = 64;

    private static readonly ConcurrentDictionary<MessageDescriptor, MessagePlan> Plans = new();

    [ThreadStatic]
    private static List<ArrayBufferWriter<byte>>? _scratch;

    private readonly MessagePlan _root;

    public ProtobufJsonEncoder(MessageDescriptor message) => _root = PlanOf(message);

    /// <summary>Encodes the record into <paramref name="output"/>; <see langword="false"/> (output in an unspecified state) when it needs the general path.</summary>
    public bool TryEncode(ReadOnlySpan<byte> json, ArrayBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1000 });
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject && TryMessage(ref reader, _root, output, 0);
    }

    /// <summary>The scratch buffer of nesting level <paramref name="depth"/> on this thread, emptied.</summary>
    private static ArrayBufferWriter<byte> Scratch(int depth)
    {
        var scratch = _scratch ??= [];
        while (scratch.Count <= depth)
        {
            scratch.Add(new ArrayBufferWriter<byte>(256));
        }

        var buffer = scratch[depth];
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static MessagePlan PlanOf(MessageDescriptor type)
    {
        if (Plans.TryGetValue(type, out var plan))
        {
            return plan;
        }

        // The same names, in the same order of precedence, as the general path's table: by field number, the JSON
        // name before the proto name, the first field to claim a name keeps it.
        var names = new List<(byte[] Name, FieldDescriptor Field)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            foreach (var name in (string[])[field.JsonName, field.Name])
            {
                if (seen.Add(name))
                {
                    names.Add((Encoding.UTF8.GetBytes(name), field));
                }
            }
        }

        var next = new int[names.Count];
        for (var i = 0; i < next.Length; i++)
        {
            var j = i + 1;
            while (j < next.Length && names[j].Field == names[i].Field)
            {
                j++;
            }

            next[i] = j;
        }

        return Plans.GetOrAdd(type, new MessagePlan([.. names.Select(n => n.Name)], [.. names.Select(n => n.Field)], next));
    }

    /// <summary>Encodes the object whose start the reader is on, up to and including its end.</summary>
    private static bool TryMessage(ref Utf8JsonReader reader, MessagePlan plan, ArrayBufferWriter<byte> output, int depth)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        var hint = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            var index = plan.Find(ref reader, hint);
            if (index < 0 || !reader.Read())
            {
                return false;
            }

            hint = plan.Next[index];
            var field = plan.Fields[index];
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (field.IsMap)
            {
                return false;
            }

            if (field.IsRepeated)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!TryField(ref reader, field, output, depth))
                    {
                        return false;
                    }
                }
            }
            else if (!TryField(ref reader, field, output, depth))
            {
                return false;
            }
        }

        return false;
    }

    private static bool TryField(ref Utf8JsonReader reader, FieldDescriptor field, ArrayBufferWriter<byte> output, int depth)
    {
        var n = field.FieldNumber;
        switch (field.FieldType)
        {
            case FieldType.Message:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                var nested = Scratch(depth + 1);
                if (!TryMessage(ref reader, PlanOf(field.MessageType), nested, depth + 1))
                {
                    return false;
                }

                Tag(output, n, 2);
                Varint(output, (ulong)nested.WrittenCount);
                output.Write(nested.WrittenSpan);
                return true;
            case FieldType.String:
                return reader.TokenType == JsonTokenType.String && TryString(ref reader, n, output);
            case FieldType.Bytes:
                if (reader.TokenType != JsonTokenType.String || !reader.TryGetBytesFromBase64(out var bytes))
                {
                    return false;
                }

                Tag(output, n, 2);
                Varint(output, (ulong)bytes.Length);
                output.Write(bytes);
                return true;
            case FieldType.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return false;
                }

                Tag(output, n, 0);
                Varint(output, reader.TokenType == JsonTokenType.True ? 1UL : 0UL);
                return true;
            case FieldType.Enum:
                long symbol;
                if (reader.TokenType == JsonTokenType.String)
                {
                    if (EnumNumber(ref reader, field.EnumType) is not { } number)
                    {
                        return false;
                    }

                    symbol = number;
                }
                else if (!TryInteger(ref reader, int.MinValue, int.MaxValue, out symbol))
                {
                    return false;
                }

                Tag(output, n, 0);
                Varint(output, (ulong)symbol);
                return true;
            case FieldType.Double or FieldType.Float:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var d) || !double.IsFinite(d))
                {
                    return false;
                }

                if (field.FieldType == FieldType.Double)
                {
                    Tag(output, n, 1);
                    BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), d);
                    output.Advance(8);
                }
                else
                {
                    Tag(output, n, 5);
                    BinaryPrimitives.WriteSingleLittleEndian(output.GetSpan(4), (float)d);
                    output.Advance(4);
                }

                return true;
            default:
                return TryIntegerField(ref reader, field, output);
        }
    }

    private static bool TryIntegerField(ref Utf8JsonReader reader, FieldDescriptor field, ArrayBufferWriter<byte> output)
    {
        var n = field.FieldNumber;
        switch (field.FieldType)
        {
            case FieldType.Int32 or FieldType.Int64 or FieldType.SInt32 or FieldType.SInt64 or FieldType.SFixed32 or FieldType.SFixed64:
                var thirtyTwo = field.FieldType is FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32;
                if (!TryInteger(ref reader, thirtyTwo ? int.MinValue : long.MinValue, thirtyTwo ? int.MaxValue : long.MaxValue, out var value))
                {
                    return false;
                }

                switch (field.FieldType)
                {
                    case FieldType.SInt32:
                        Tag(output, n, 0);
                        Varint(output, (uint)(((int)value << 1) ^ ((int)value >> 31)));
                        break;
                    case FieldType.SInt64:
                        Tag(output, n, 0);
                        Varint(output, (ulong)((value << 1) ^ (value >> 63)));
                        break;
                    case FieldType.SFixed32:
                        Tag(output, n, 5);
                        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), (int)value);
                        output.Advance(4);
                        break;
                    case FieldType.SFixed64:
                        Tag(output, n, 1);
                        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
                        output.Advance(8);
                        break;
                    default:
                        Tag(output, n, 0);
                        Varint(output, (ulong)value); // a negative int32 takes ten bytes, as CodedOutputStream writes it
                        break;
                }

                return true;
            case FieldType.UInt32 or FieldType.Fixed32 or FieldType.UInt64 or FieldType.Fixed64:
                if (!TryUnsigned(ref reader, field.FieldType is FieldType.UInt32 or FieldType.Fixed32 ? uint.MaxValue : ulong.MaxValue, out var unsigned))
                {
                    return false;
                }

                switch (field.FieldType)
                {
                    case FieldType.Fixed32:
                        Tag(output, n, 5);
                        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), (uint)unsigned);
                        output.Advance(4);
                        break;
                    case FieldType.Fixed64:
                        Tag(output, n, 1);
                        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), unsigned);
                        output.Advance(8);
                        break;
                    default:
                        Tag(output, n, 0);
                        Varint(output, unsigned);
                        break;
                }

                return true;
            default:
                return false; // groups
        }
    }

    /// <summary>A string field: its UTF-8 bytes as they lie in the record, or unescaped when the record escapes them.</summary>
    private static bool TryString(ref Utf8JsonReader reader, int number, ArrayBufferWriter<byte> output)
    {
        if (!reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            Tag(output, number, 2);
            Varint(output, (ulong)text.Length);
            output.Write(text);
            return true;
        }

        // Unescaped it is never longer than escaped. An escaped lone surrogate is not valid UTF-16: the general path
        // decides what it is.
        var buffer = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            int length;
            try
            {
                length = reader.CopyString(buffer);
            }
            catch (InvalidOperationException)
            {
                return false;
            }

            Tag(output, number, 2);
            Varint(output, (ulong)length);
            output.Write(buffer.AsSpan(0, length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int? EnumNumber(ref Utf8JsonReader reader, EnumDescriptor type)
    {
        foreach (var value in type.Values)
        {
            if (reader.ValueTextEquals(value.Name))
            {
                return value.Number;
            }
        }

        return null;
    }

    /// <summary>A JSON integer within the range, or a string of an optional minus sign and up to 19 digits (as 64-bit values are written).</summary>
    private static bool TryInteger(ref Utf8JsonReader reader, long min, long max, out long value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out value):
                return value >= min && value <= max;
            case JsonTokenType.String when !reader.ValueIsEscaped && IsDigits(reader.ValueSpan, allowMinus: true)
                                           && Utf8Parser.TryParse(reader.ValueSpan, out value, out var used) && used == reader.ValueSpan.Length:
                return value >= min && value <= max;
            default:
                value = 0;
                return false;
        }
    }

    private static bool TryUnsigned(ref Utf8JsonReader reader, ulong max, out ulong value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetUInt64(out value):
                return value <= max;
            case JsonTokenType.String when !reader.ValueIsEscaped && IsDigits(reader.ValueSpan, allowMinus: false)
                                           && Utf8Parser.TryParse(reader.ValueSpan, out value, out var used) && used == reader.ValueSpan.Length:
                return value <= max;
            default:
                value = 0;
                return false;
        }
    }

    private static bool IsDigits(ReadOnlySpan<byte> text, bool allowMinus)
    {
        if (allowMinus && text.Length > 1 && text[0] == (byte)'-')
        {
            text = text[1..];
        }

        return text.Length is > 0 and <= 20 && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static void Tag(ArrayBufferWriter<byte> output, int number, int wireType) => Varint(output, ((uint)number << 3) | (uint)wireType);

    private static void Varint(ArrayBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }

    /// <summary>
    /// A message type's field names as UTF-8, in the order of precedence (each name once), their fields, and for each
    /// entry the first entry of the next field (where the next property of a record in field order is found).
    /// </summary>
    private sealed class MessagePlan(byte[][] names, FieldDescriptor[] fields, int[] next)
    {
        public FieldDescriptor[] Fields => fields;

        public int[] Next => next;

        /// <summary>The entry of the property name at the reader (names are unique), trying <paramref name="hint"/> first.</summary>
        public int Find(ref Utf8JsonReader reader, int hint)
        {
            if (hint < names.Length && reader.ValueTextEquals(names[hint]))
            {
                return hint;
            }

            for (var i = 0; i < names.Length; i++)
            {
                if (reader.ValueTextEquals(names[i]))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
