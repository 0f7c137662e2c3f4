using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Formats.Avro;

/// <summary>
/// Records of a schema whose fields are all primitives (null, boolean, int, long, float, double, string, bytes; no
/// logical types) or unions of them, converted straight between the Avro binary encoding and UTF-8 JSON, without
/// generic records, strings per field or a JSON document. It writes and reads exactly what the general mapping
/// (<c>AvroJsonRecords</c>) writes and reads: <see cref="TryEncode"/> gives up on what it does not take for certain
/// (fields out of schema order, missing or extra fields, float and double given as text, base64 with whitespace), and the general mapping
/// then writes the same datum or reports the error with the field's path. Thread-safe.
/// </summary>
internal sealed class AvroFlatRecordCodec
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The bytes a JSON string holds as they are under <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: printable ASCII but <c>"</c> and <c>\</c>.</summary>
    private static readonly SearchValues<byte> Verbatim = SearchValues.Create([.. Enumerable.Range(0x20, 0x5F).Select(b => (byte)b).Where(b => b is not ((byte)'"' or (byte)'\\'))]);

    private readonly Field[] _fields;

    private AvroFlatRecordCodec(Field[] fields) => _fields = fields;

    private enum Fit
    {
        No,
        Yes,
        Unsure,
    }

    /// <summary>The codec of a schema, or <see langword="null"/> when the schema is not a record of primitive fields.</summary>
    public static AvroFlatRecordCodec? TryCreate(AvroSchema schema)
    {
        if (schema is not RecordSchema record)
        {
            return null;
        }

        var fields = new Field[record.Fields.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var field = record.Fields[i];
            IReadOnlyList<AvroSchema> branches = field.Schema is UnionSchema union ? union.Branches : [field.Schema];
            if (branches.Any(b => b.LogicalType != AvroLogicalType.None || !IsPrimitive(b.Type)))
            {
                return null;
            }

            var name = JsonEncodedText.Encode(field.Name, Encoder);
            byte[] prefix = [(byte)(i == 0 ? '{' : ','), (byte)'"', .. name.EncodedUtf8Bytes, (byte)'"', (byte)':'];
            fields[i] = new Field(Encoding.UTF8.GetBytes(field.Name), name, [.. branches.Select(b => b.Type)], field.Schema is UnionSchema, prefix);
        }

        return new AvroFlatRecordCodec(fields);
    }

    /// <summary>Decodes one record at the reader into JSON, as the general mapping writes it.</summary>
    /// <exception cref="DeserializationException">The bytes are not a record of the schema.</exception>
    public void Decode(ref AvroReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var field in _fields)
        {
            writer.WritePropertyName(field.EncodedName);
            var type = field.IsUnion ? field.Types[reader.ReadUnionIndex(field.Types.Length)] : field.Types[0];
            switch (type)
            {
                case AvroType.Null:
                    writer.WriteNullValue();
                    break;
                case AvroType.Boolean:
                    writer.WriteBooleanValue(reader.ReadBoolean());
                    break;
                case AvroType.Int:
                    writer.WriteNumberValue(reader.ReadInt());
                    break;
                case AvroType.Long:
                    writer.WriteNumberValue(reader.ReadLong());
                    break;
                case AvroType.Float:
                    WriteFloating(writer, reader.ReadFloat());
                    break;
                case AvroType.Double:
                    WriteFloating(writer, reader.ReadDouble());
                    break;
                case AvroType.String:
                    var start = reader.Offset;
                    var text = reader.ReadBytesSpan();
                    if (!System.Text.Unicode.Utf8.IsValid(text))
                    {
                        throw new DeserializationException("avro", start, "invalid UTF-8 in string");
                    }

                    writer.WriteStringValue(text);
                    break;
                default:
                    writer.WriteBase64StringValue(reader.ReadBytesSpan());
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Decodes one record at the reader straight into <paramref name="destination"/>, the same bytes as
    /// <see cref="Decode"/> writes, when every string is printable ASCII without <c>"</c> or <c>\</c> (written as it is);
    /// <see langword="false"/> for any other record or when the destination is too small (the reader has moved on, the
    /// destination holds part of the record: start again from a copy of the reader).
    /// </summary>
    /// <exception cref="DeserializationException">The bytes are not a record of the schema.</exception>
    public bool TryDecodeDirect(ref AvroReader reader, Span<byte> destination, out int written)
    {
        written = 0;
        var at = 0;
        foreach (var field in _fields)
        {
            if (!field.Prefix.AsSpan().TryCopyTo(destination[at..]))
            {
                return false;
            }

            at += field.Prefix.Length;
            var room = destination[at..];
            var type = field.IsUnion ? field.Types[reader.ReadUnionIndex(field.Types.Length)] : field.Types[0];
            int length;
            switch (type)
            {
                case AvroType.Null:
                    if (!"null"u8.TryCopyTo(room))
                    {
                        return false;
                    }

                    length = 4;
                    break;
                case AvroType.Boolean:
                    var flag = reader.ReadBoolean() ? "true"u8 : "false"u8;
                    if (!flag.TryCopyTo(room))
                    {
                        return false;
                    }

                    length = flag.Length;
                    break;
                case AvroType.Int:
                    if (!System.Buffers.Text.Utf8Formatter.TryFormat(reader.ReadInt(), room, out length))
                    {
                        return false;
                    }

                    break;
                case AvroType.Long:
                    if (!System.Buffers.Text.Utf8Formatter.TryFormat(reader.ReadLong(), room, out length))
                    {
                        return false;
                    }

                    break;
                case AvroType.Float:
                    if (!TryFormatFloating(reader.ReadFloat(), room, out length))
                    {
                        return false;
                    }

                    break;
                case AvroType.Double:
                    if (!TryFormatFloating(reader.ReadDouble(), room, out length))
                    {
                        return false;
                    }

                    break;
                case AvroType.String:
                    var text = reader.ReadBytesSpan();
                    if (text.ContainsAnyExcept(Verbatim) || room.Length < text.Length + 2)
                    {
                        return false;
                    }

                    room[0] = (byte)'"';
                    text.CopyTo(room[1..]);
                    room[text.Length + 1] = (byte)'"';
                    length = text.Length + 2;
                    break;
                default:
                    var bytes = reader.ReadBytesSpan();
                    if (room.Length < System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(bytes.Length) + 2)
                    {
                        return false;
                    }

                    room[0] = (byte)'"';
                    System.Buffers.Text.Base64.EncodeToUtf8(bytes, room[1..], out _, out var encoded);
                    room[encoded + 1] = (byte)'"';
                    length = encoded + 2;
                    break;
            }

            at += length;
        }

        if (at >= destination.Length)
        {
            return false;
        }

        destination[at++] = (byte)'}';
        written = at;
        return true;
    }

    /// <summary>
    /// Encodes a JSON record as one datum; <see langword="false"/> (with the output in an unspecified state) when the
    /// general mapping must decide.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<byte> json, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var writer = new AvroWriter(output);
        foreach (var field in _fields)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(field.Name) || !reader.Read())
            {
                return false;
            }

            var branch = 0;
            if (field.IsUnion)
            {
                // The first branch that takes the value, as the general mapping picks it.
                for (; branch < field.Types.Length; branch++)
                {
                    var fit = Fits(field.Types[branch], ref reader);
                    if (fit == Fit.Unsure)
                    {
                        return false;
                    }

                    if (fit == Fit.Yes)
                    {
                        break;
                    }
                }

                if (branch == field.Types.Length)
                {
                    return false;
                }

                writer.WriteUnionIndex(branch);
            }
            else if (Fits(field.Types[0], ref reader) != Fit.Yes)
            {
                return false;
            }

            if (!TryWrite(field.Types[branch], ref reader, ref writer))
            {
                return false;
            }
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            return false;
        }

        writer.Flush();
        return true;
    }

    private static bool IsPrimitive(AvroType type) =>
        type is AvroType.Null or AvroType.Boolean or AvroType.Int or AvroType.Long or AvroType.Float or AvroType.Double or AvroType.String or AvroType.Bytes;

    /// <summary>Whether the general mapping takes the JSON value at the reader as a value of the type.</summary>
    private static Fit Fits(AvroType type, ref Utf8JsonReader reader) => (type, reader.TokenType) switch
    {
        (AvroType.Null, JsonTokenType.Null) => Fit.Yes,
        (AvroType.Boolean, JsonTokenType.True or JsonTokenType.False) => Fit.Yes,
        (AvroType.Int, JsonTokenType.Number) => reader.TryGetInt32(out _) ? Fit.Yes : Fit.No,
        (AvroType.Long, JsonTokenType.Number) => reader.TryGetInt64(out _) ? Fit.Yes : Fit.No,
        (AvroType.Float, JsonTokenType.Number) => reader.TryGetSingle(out var f) && float.IsFinite(f) ? Fit.Yes : Fit.No,
        (AvroType.Double, JsonTokenType.Number) => reader.TryGetDouble(out var d) && double.IsFinite(d) ? Fit.Yes : Fit.No,
        (AvroType.Float or AvroType.Double, JsonTokenType.String) => Fit.Unsure, // "NaN" and the infinities: the general mapping's
        (AvroType.Bytes, JsonTokenType.String) => reader.TryGetBytesFromBase64(out _) ? Fit.Yes : Fit.Unsure, // strict base64; lenient: the general mapping's
        (AvroType.String, JsonTokenType.String) => Fit.Yes,
        _ => Fit.No,
    };

    private static bool TryWrite(AvroType type, ref Utf8JsonReader reader, ref AvroWriter writer)
    {
        switch (type)
        {
            case AvroType.Null:
                return true;
            case AvroType.Boolean:
                writer.WriteBoolean(reader.TokenType == JsonTokenType.True);
                return true;
            case AvroType.Int:
                writer.WriteInt(reader.GetInt32());
                return true;
            case AvroType.Long:
                writer.WriteLong(reader.GetInt64());
                return true;
            case AvroType.Float:
                writer.WriteFloat(reader.GetSingle());
                return true;
            case AvroType.Double:
                writer.WriteDouble(reader.GetDouble());
                return true;
            case AvroType.String when !reader.ValueIsEscaped:
                writer.WriteBytes(reader.ValueSpan);
                return true;
            case AvroType.String:
                return TryWriteEscaped(ref reader, ref writer);
            default:
                writer.WriteBytes(reader.GetBytesFromBase64());
                return true;
        }
    }

    /// <summary>An escaped string, unescaped (never longer than escaped); an escaped lone surrogate is left to the general mapping.</summary>
    private static bool TryWriteEscaped(ref Utf8JsonReader reader, ref AvroWriter writer)
    {
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

            writer.WriteBytes(buffer.AsSpan(0, length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A float or double as the general mapping writes it: the shortest text that reads back the same, or a name for NaN and the infinities.</summary>
    /// <summary>A float or double as <see cref="WriteFloating"/> writes it.</summary>
    private static bool TryFormatFloating<T>(T value, Span<byte> destination, out int written)
        where T : IFloatingPointIeee754<T>, IUtf8SpanFormattable
    {
        if (T.IsFinite(value))
        {
            return value.TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
        }

        var text = T.IsNaN(value) ? "\"NaN\""u8 : T.IsPositive(value) ? "\"Infinity\""u8 : "\"-Infinity\""u8;
        written = text.Length;
        return text.TryCopyTo(destination);
    }

    private static void WriteFloating<T>(Utf8JsonWriter writer, T value)
        where T : IFloatingPointIeee754<T>, IUtf8SpanFormattable
    {
        if (T.IsFinite(value))
        {
            Span<byte> text = stackalloc byte[40];
            value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
            writer.WriteRawValue(text[..length], skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(T.IsNaN(value) ? "NaN" : T.IsPositive(value) ? "Infinity" : "-Infinity");
        }
    }

    /// <summary>A field: its name (UTF-8 and as the JSON writer writes it) and its type, or its union's branch types.</summary>
    /// <summary>A field of the record.</summary>
    /// <param name="Name">Its name, UTF-8.</param>
    /// <param name="EncodedName">Its name as JSON writes it.</param>
    /// <param name="Types">Its type, or the types of its union's branches.</param>
    /// <param name="IsUnion">Whether it is a union.</param>
    /// <param name="Prefix">What comes before the field's value in the record's JSON: <c>{"name":</c> or <c>,"name":</c>.</param>
    private sealed record Field(byte[] Name, JsonEncodedText EncodedName, AvroType[] Types, bool IsUnion, byte[] Prefix);
}
