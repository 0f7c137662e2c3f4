using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace DataWeaver.Formats.Protobuf;

/// <summary>
/// Decodes a message straight into JSON in one pass over its bytes (no boxed values, no sorting) when it is what
/// writers usually write: singular scalar, string, bytes and enum fields, each once and in field-number order, with the
/// wire type of its field. Anything else (repeated, map or message fields, unknown fields, a field twice or out of
/// order, invalid UTF-8, malformed bytes) makes <see cref="TryDecode"/> give up, and <see cref="ProtobufJsonCodec"/>
/// takes its general path, which writes the same JSON or reports the error. Thread-safe.
/// </summary>
internal sealed class ProtobufJsonDecoder(MessageDescriptor message)
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly Dictionary<int, (FieldDescriptor Field, JsonEncodedText Name)> _fields = message.Fields.InFieldNumberOrder()
        .ToDictionary(f => f.FieldNumber, f => (f, JsonEncodedText.Encode(f.JsonName, Encoder)));

    /// <summary>Writes the message as a JSON object; <see langword="false"/> (the writer in an unspecified state) when the general path must decode it.</summary>
    public bool TryDecode(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        var last = 0;
        while (!data.IsEmpty)
        {
            if (!TryVarint(ref data, out var tag) || tag > uint.MaxValue)
            {
                return false;
            }

            var number = (int)(tag >> 3);
            if (number <= last || !_fields.TryGetValue(number, out var entry) || entry.Field.IsRepeated || WireType(entry.Field.FieldType) != (int)(tag & 7))
            {
                return false;
            }

            last = number;
            writer.WritePropertyName(entry.Name);
            if (!TryValue(ref data, entry.Field, writer))
            {
                return false;
            }
        }

        writer.WriteEndObject();
        return true;
    }

    /// <summary>The wire type a field of the type is written with; -1 for what this decoder leaves to the general path.</summary>
    private static int WireType(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => 1,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => 5,
        FieldType.String or FieldType.Bytes => 2,
        FieldType.Message or FieldType.Group => -1,
        _ => 0,
    };

    private static bool TryValue(ref ReadOnlySpan<byte> data, FieldDescriptor field, Utf8JsonWriter writer)
    {
        switch (field.FieldType)
        {
            case FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64:
                if (data.Length < 8)
                {
                    return false;
                }

                var bits = BinaryPrimitives.ReadUInt64LittleEndian(data);
                data = data[8..];
                switch (field.FieldType)
                {
                    case FieldType.Double:
                        WriteFloating(writer, BitConverter.UInt64BitsToDouble(bits));
                        break;
                    case FieldType.Fixed64:
                        WriteDecimalString(writer, bits, negative: false);
                        break;
                    default:
                        WriteSigned(writer, (long)bits);
                        break;
                }

                return true;
            case FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32:
                if (data.Length < 4)
                {
                    return false;
                }

                var word = BinaryPrimitives.ReadUInt32LittleEndian(data);
                data = data[4..];
                switch (field.FieldType)
                {
                    case FieldType.Float:
                        WriteFloating(writer, BitConverter.UInt32BitsToSingle(word));
                        break;
                    case FieldType.Fixed32:
                        writer.WriteNumberValue(word);
                        break;
                    default:
                        writer.WriteNumberValue((int)word);
                        break;
                }

                return true;
            case FieldType.String or FieldType.Bytes:
                if (!TryVarint(ref data, out var length) || length > int.MaxValue || (long)length > data.Length)
                {
                    return false;
                }

                var bytes = data[..(int)length];
                data = data[(int)length..];
                if (field.FieldType == FieldType.Bytes)
                {
                    writer.WriteBase64StringValue(bytes);
                    return true;
                }

                if (!System.Text.Unicode.Utf8.IsValid(bytes))
                {
                    return false;
                }

                writer.WriteStringValue(bytes);
                return true;
            default:
                return TryVarint(ref data, out var value) && TryVarintValue(value, field, writer);
        }
    }

    private static bool TryVarintValue(ulong value, FieldDescriptor field, Utf8JsonWriter writer)
    {
        switch (field.FieldType)
        {
            case FieldType.Int64:
                WriteSigned(writer, (long)value);
                return true;
            case FieldType.UInt64:
                WriteDecimalString(writer, value, negative: false);
                return true;
            case FieldType.SInt64:
                WriteSigned(writer, (long)(value >> 1) ^ -(long)(value & 1));
                return true;
            case FieldType.Int32:
                writer.WriteNumberValue((int)value);
                return true;
            case FieldType.UInt32:
                writer.WriteNumberValue((uint)value);
                return true;
            case FieldType.SInt32:
                var zigzag = (uint)value;
                writer.WriteNumberValue((int)(zigzag >> 1) ^ -(int)(zigzag & 1));
                return true;
            case FieldType.Bool:
                writer.WriteBooleanValue(value != 0);
                return true;
            case FieldType.Enum:
                if (field.EnumType.FindValueByNumber((int)value) is { } symbol)
                {
                    writer.WriteStringValue(symbol.Name);
                }
                else
                {
                    writer.WriteNumberValue((int)value);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>A varint of at most ten bytes whose value fits 64 bits.</summary>
    private static bool TryVarint(ref ReadOnlySpan<byte> data, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10 && i < data.Length; i++)
        {
            var b = data[i];
            if (i == 9 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                data = data[(i + 1)..];
                return true;
            }
        }

        return false;
    }

    /// <summary>A 64-bit integer as the general path writes it: its decimal digits as a JSON string.</summary>
    private static void WriteSigned(Utf8JsonWriter writer, long value) =>
        WriteDecimalString(writer, value < 0 ? (ulong)-(value + 1) + 1 : (ulong)value, value < 0);

    private static void WriteDecimalString(Utf8JsonWriter writer, ulong magnitude, bool negative)
    {
        Span<byte> text = stackalloc byte[21];
        var at = 0;
        if (negative)
        {
            text[at++] = (byte)'-';
        }

        Utf8Formatter.TryFormat(magnitude, text[at..], out var written);
        writer.WriteStringValue(text[..(at + written)]);
    }

    private static void WriteFloating(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
