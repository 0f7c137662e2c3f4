using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Collections.Concurrent;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DataWeaver.Formats.Protobuf;

/// <summary>
/// Protobuf messages of a type known only from its descriptor, as JSON records, by the proto3 JSON mapping: fields by
/// their JSON name, 64-bit integers as strings, bytes as base64, enums by name, maps as objects, repeated fields as
/// arrays; fields absent from the message are absent from the record. Reading JSON also accepts the proto field names
/// and numbers for 64-bit integers. Google.Protobuf's C# runtime has no dynamic messages, so this reads and writes the
/// wire format from the descriptor directly. Thread-safe.
/// </summary>
public sealed class ProtobufJsonCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ConcurrentDictionary<MessageDescriptor, Dictionary<string, FieldDescriptor>> FieldsByType = new();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _message;

    /// <summary>Whether the message has no message-typed field (nor map): its JSON is at most three levels deep.</summary>
    private readonly bool _flat;

    private readonly ProtobufJsonEncoder _encoder;

    private readonly ProtobufJsonDecoder _decoder;

    /// <summary>Creates a codec for one message type.</summary>
    /// <param name="message">The message type.</param>
    public ProtobufJsonCodec(MessageDescriptor message)
    {
        Message = message ?? throw new ArgumentNullException(nameof(message));
        _flat = message.Fields.InFieldNumberOrder().All(f => f.FieldType != FieldType.Message);
        _encoder = new ProtobufJsonEncoder(message);
        _decoder = new ProtobufJsonDecoder(message);
    }

    /// <summary>Gets the message type.</summary>
    public MessageDescriptor Message { get; }

    /// <summary>Finds a message type in a descriptor set (the output of <c>protoc --descriptor_set_out --include_imports</c>).</summary>
    /// <param name="descriptorSet">The serialized <c>FileDescriptorSet</c>.</param>
    /// <param name="messageType">The message's full name, e.g. <c>shop.Order</c>.</param>
    /// <returns>The message type.</returns>
    /// <exception cref="ArgumentException">The set does not hold the type, or is not a descriptor set.</exception>
    public static MessageDescriptor FindMessage(byte[] descriptorSet, string messageType)
    {
        ArgumentNullException.ThrowIfNull(descriptorSet);
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        IReadOnlyList<FileDescriptor> files;
        try
        {
            var set = FileDescriptorSet.Parser.ParseFrom(descriptorSet);
            files = FileDescriptor.BuildFromByteStrings(set.File.Select(f => f.ToByteString()));
        }
        catch (Exception exception) when (exception is InvalidProtocolBufferException or ArgumentException or DescriptorValidationException)
        {
            throw new ArgumentException($"Not a protobuf descriptor set: {exception.Message}", nameof(descriptorSet), exception);
        }

        var name = messageType.TrimStart('.');
        var all = files.SelectMany(f => f.MessageTypes).SelectMany(Flatten).ToList();
        return all.FirstOrDefault(m => m.FullName == name)
            ?? throw new ArgumentException($"The descriptor set has no message '{name}'; it has {string.Join(", ", all.Select(m => m.FullName).Take(20))}.", nameof(messageType));

        static IEnumerable<MessageDescriptor> Flatten(MessageDescriptor m) => m.NestedTypes.SelectMany(Flatten).Prepend(m);
    }

    /// <summary>Decodes one message (no length prefix) into a JSON record.</summary>
    /// <param name="data">The message bytes.</param>
    /// <returns>The record, owning its bytes.</returns>
    /// <exception cref="DataWeaverException">The bytes are not a message of the type (a data error).</exception>
    public JsonRecord Decode(ReadOnlySpan<byte> data) => Decode(data.ToArray());

    /// <summary>Decodes one message (no length prefix) held in an array of its own, without copying it first.</summary>
    /// <param name="data">The message bytes; not changed.</param>
    /// <returns>The record, owning its bytes.</returns>
    /// <exception cref="DataWeaverException">The bytes are not a message of the type (a data error).</exception>
    internal JsonRecord Decode(byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length * 2 + 16);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (_decoder.TryDecode(data, writer))
            {
                // Written in one pass from scalar fields: two levels deep, valid UTF-8; only the size is checked.
                writer.Flush();
                return buffer.WrittenCount <= JsonRecordOptions.Default.MaxRecordBytes
                    ? JsonRecord.CreateUnchecked(buffer.WrittenMemory)
                    : JsonRecord.Parse(buffer.WrittenMemory);
            }

            writer.Reset();
            buffer.ResetWrittenCount();
            try
            {
                WriteMessage(writer, Message, data, 0);
            }
            catch (InvalidProtocolBufferException exception)
            {
                throw new DataWeaverException(ErrorClass.Data, $"not a {Message.FullName} message: {exception.Message}", exception);
            }
        }

        // Utf8JsonWriter has just written the object from decoded values (valid UTF-16 strings, numbers, base64), so
        // a flat message's JSON is well-formed, valid UTF-8 and three levels deep at most; only its size is checked.
        // Nested messages take the full validation of JsonRecord.Parse (its depth limit).
        return _flat && buffer.WrittenCount <= JsonRecordOptions.Default.MaxRecordBytes
            ? JsonRecord.CreateUnchecked(buffer.WrittenMemory)
            : JsonRecord.Parse(buffer.WrittenMemory);
    }

    /// <summary>Decodes with the general path alone (every field collected, sorted by number, then written), for tests.</summary>
    internal string DecodeGeneral(byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteMessage(writer, Message, data, 0);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Encodes a JSON record as one message (no length prefix).</summary>
    /// <param name="record">The record.</param>
    /// <returns>The message bytes.</returns>
    /// <exception cref="DataWeaverException">The record does not fit the type (a data error naming the field).</exception>
    public byte[] Encode(in JsonRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(record.Utf8.Length);
        EncodeInto(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a record as one length-delimited message (its size as a varint, then its bytes) into <paramref name="output"/>.</summary>
    /// <param name="record">The record.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="DataWeaverException">The record does not fit the type (a data error naming the field); nothing is written.</exception>
    internal void EncodeDelimited(in JsonRecord record, IBufferWriter<byte> output)
    {
        var message = Scratch();
        EncodeInto(record, message);
        var size = (uint)message.WrittenCount;
        var span = output.GetSpan(5 + message.WrittenCount);
        var n = 0;
        while (size >= 0x80)
        {
            span[n++] = (byte)(size | 0x80);
            size >>= 7;
        }

        span[n++] = (byte)size;
        message.WrittenSpan.CopyTo(span[n..]);
        output.Advance(n + message.WrittenCount);
    }

    /// <summary>
    /// Encodes a record with the general path alone: a <see cref="JsonDocument"/> of the record, field by field, with the
    /// field's path in every error. <see cref="Encode"/> takes it for what <see cref="ProtobufJsonEncoder"/> leaves.
    /// </summary>
    internal byte[] EncodeGeneral(in JsonRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        EncodeGeneral(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The scratch buffer of one message on this thread (not the encoder's own), emptied.</summary>
    private static ArrayBufferWriter<byte> Scratch()
    {
        var scratch = _message ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        return scratch;
    }

    private void EncodeInto(in JsonRecord record, ArrayBufferWriter<byte> output)
    {
        if (!_encoder.TryEncode(record.Utf8.Span, output))
        {
            output.ResetWrittenCount();
            EncodeGeneral(record, output);
        }
    }

    private void EncodeGeneral(in JsonRecord record, ArrayBufferWriter<byte> output)
    {
        using var document = JsonDocument.Parse(record.Utf8);
        var encoded = EncodeMessage(Message, document.RootElement, new FieldPath("$"));
        output.Write(encoded.Memory.GetBuffer().AsSpan(0, (int)encoded.Memory.Length));
        encoded.Return();
    }

    private static void WriteMessage(Utf8JsonWriter writer, MessageDescriptor type, byte[] data, int depth)
    {
        if (depth > 64)
        {
            throw new DataWeaverException(ErrorClass.Data, "messages nest deeper than 64 levels");
        }

        // Collect first: repeated fields may be split, and a field may appear twice (the last one wins). Values are
        // kept in wire order and then sorted by field number, stably (an insertion sort: the wire order is almost
        // always the field-number order already), so a field's values stay in their order.
        var values = new List<(int Number, object Value)>();
        var input = new CodedInputStream(data);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = type.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag));
            if (field is null)
            {
                input.SkipLastField();
                continue;
            }

            if (field.IsRepeated && IsPackable(field.FieldType) && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                while (!packed.IsAtEnd)
                {
                    values.Add((field.FieldNumber, ReadScalar(packed, field)));
                }
            }
            else
            {
                values.Add((field.FieldNumber, field.FieldType == FieldType.Message ? input.ReadBytes().ToByteArray() : ReadScalar(input, field)));
            }
        }

        for (var i = 1; i < values.Count; i++)
        {
            var item = values[i];
            var j = i - 1;
            while (j >= 0 && values[j].Number > item.Number)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = item;
        }

        writer.WriteStartObject();
        for (var start = 0; start < values.Count;)
        {
            var number = values[start].Number;
            var end = start + 1;
            while (end < values.Count && values[end].Number == number)
            {
                end++;
            }

            var list = new FieldValues(values, start, end);
            start = end;
            var field = type.FindFieldByNumber(number);
            writer.WritePropertyName(field.JsonName);
            if (field.IsMap)
            {
                var keyField = field.MessageType.FindFieldByNumber(1);
                var valueField = field.MessageType.FindFieldByNumber(2);
                writer.WriteStartObject();
                foreach (var item in list)
                {
                    var entry = (byte[])item;
                    var (key, value) = ReadEntry(entry, keyField, valueField);
                    writer.WritePropertyName(key is null ? Default(keyField) : Convert.ToString(key, CultureInfo.InvariantCulture)!.ToLowerInvariant() is var k && key is bool ? k : Convert.ToString(key, CultureInfo.InvariantCulture)!);
                    WriteValue(writer, valueField, value, depth);
                }

                writer.WriteEndObject();
            }
            else if (field.IsRepeated)
            {
                writer.WriteStartArray();
                foreach (var value in list)
                {
                    WriteValue(writer, field, value, depth);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteValue(writer, field, list[^1], depth);
            }
        }

        writer.WriteEndObject();
    }

    private static (object? Key, object? Value) ReadEntry(byte[] entry, FieldDescriptor keyField, FieldDescriptor valueField)
    {
        object? key = null;
        object? value = null;
        var input = new CodedInputStream(entry);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    key = ReadScalar(input, keyField);
                    break;
                case 2:
                    value = valueField.FieldType == FieldType.Message ? input.ReadBytes().ToByteArray() : ReadScalar(input, valueField);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key, value);
    }

    private static string Default(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => string.Empty,
        FieldType.Bool => "false",
        _ => "0",
    };

    private static void WriteValue(Utf8JsonWriter writer, FieldDescriptor field, object? value, int depth)
    {
        switch (value)
        {
            case null when field.FieldType == FieldType.Message:
                WriteMessage(writer, field.MessageType, [], depth + 1);
                break;
            case null:
                WriteScalarDefault(writer, field);
                break;
            case byte[] message when field.FieldType == FieldType.Message:
                WriteMessage(writer, field.MessageType, message, depth + 1);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int i when field.FieldType == FieldType.Enum:
                if (field.EnumType.FindValueByNumber(i) is { } symbol)
                {
                    writer.WriteStringValue(symbol.Name);
                }
                else
                {
                    writer.WriteNumberValue(i);
                }

                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case uint u:
                writer.WriteNumberValue(u);
                break;
            case long l:
                writer.WriteStringValue(l.ToString(CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                writer.WriteStringValue(ul.ToString(CultureInfo.InvariantCulture));
                break;
            case float f:
                WriteFloating(writer, f);
                break;
            case double d:
                WriteFloating(writer, d);
                break;
            default:
                throw new DataWeaverException(ErrorClass.Data, $"the field '{field.Name}' holds an unexpected value");
        }
    }

    private static void WriteScalarDefault(Utf8JsonWriter writer, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.String:
                writer.WriteStringValue(string.Empty);
                break;
            case FieldType.Bytes:
                writer.WriteStringValue(string.Empty);
                break;
            case FieldType.Bool:
                writer.WriteBooleanValue(false);
                break;
            case FieldType.Enum:
                writer.WriteStringValue(field.EnumType.FindValueByNumber(0)?.Name ?? "0");
                break;
            case FieldType.Int64 or FieldType.UInt64 or FieldType.SInt64 or FieldType.Fixed64 or FieldType.SFixed64:
                writer.WriteStringValue("0");
                break;
            default:
                writer.WriteNumberValue(0);
                break;
        }
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

    private static bool IsPackable(FieldType type) => type is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static object ReadScalar(CodedInputStream input, FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Double => input.ReadDouble(),
        FieldType.Float => input.ReadFloat(),
        FieldType.Int64 => input.ReadInt64(),
        FieldType.UInt64 => input.ReadUInt64(),
        FieldType.Int32 => input.ReadInt32(),
        FieldType.Fixed64 => input.ReadFixed64(),
        FieldType.Fixed32 => input.ReadFixed32(),
        FieldType.Bool => input.ReadBool(),
        FieldType.String => input.ReadString(),
        FieldType.Bytes => input.ReadBytes().ToByteArray(),
        FieldType.UInt32 => input.ReadUInt32(),
        FieldType.SFixed32 => input.ReadSFixed32(),
        FieldType.SFixed64 => input.ReadSFixed64(),
        FieldType.SInt32 => input.ReadSInt32(),
        FieldType.SInt64 => input.ReadSInt64(),
        FieldType.Enum => input.ReadEnum(),
        _ => throw new DataWeaverException(ErrorClass.Data, $"the field '{field.Name}' is a group, which is not supported"),
    };

    /// <summary>
    /// Encodes a message into a pooled buffer (see <see cref="Encoded"/>). A message that fails leaves its buffer out of
    /// the pool, so no half-written bytes are reused.
    /// </summary>
    private static Encoded EncodeMessage(MessageDescriptor type, JsonElement json, FieldPath path)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch(path, $"a {type.FullName} object", json);
        }

        var encoded = Encoded.Rent();
        var output = encoded.Output;
        var fields = FieldsOf(type);
        foreach (var property in json.EnumerateObject())
        {
            var field = fields.GetValueOrDefault(property.Name)
                ?? throw new DataWeaverException(ErrorClass.Data, $"{path}: {type.FullName} has no field '{property.Name}'");
            var at = path.Child(property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (field.IsMap)
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw Mismatch(at, "an object (a map)", property.Value);
                }

                foreach (var entry in property.Value.EnumerateObject())
                {
                    using var entryMemory = new MemoryStream();
                    var entryOutput = new CodedOutputStream(entryMemory, leaveOpen: true);
                    var keyField = field.MessageType.FindFieldByNumber(1);
                    using (var keyDocument = JsonDocument.Parse(keyField.FieldType is FieldType.String ? JsonSerializer.Serialize(entry.Name) : keyField.FieldType == FieldType.Bool ? entry.Name : JsonSerializer.Serialize(entry.Name)))
                    {
                        WriteField(entryOutput, keyField, keyDocument.RootElement, at.Key(entry.Name));
                    }

                    WriteField(entryOutput, field.MessageType.FindFieldByNumber(2), entry.Value, at.Key(entry.Name));
                    entryOutput.Flush();
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(entryMemory.GetBuffer(), 0, (int)entryMemory.Length));
                }
            }
            else if (field.IsRepeated)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw Mismatch(at, "an array", property.Value);
                }

                var index = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    WriteField(output, field, item, at.Index(index++));
                }
            }
            else
            {
                WriteField(output, field, property.Value, at);
            }
        }

        output.Flush();
        return encoded;
    }

    /// <summary>The fields of a message type by JSON name and by proto name (the lower field number first when two share a name).</summary>
    private static Dictionary<string, FieldDescriptor> FieldsOf(MessageDescriptor type)
    {
        if (FieldsByType.TryGetValue(type, out var fields))
        {
            return fields;
        }

        fields = new Dictionary<string, FieldDescriptor>(StringComparer.Ordinal);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            fields.TryAdd(field.JsonName, field);
            fields.TryAdd(field.Name, field);
        }

        return FieldsByType.GetOrAdd(type, fields);
    }

    private static void WriteField(CodedOutputStream output, FieldDescriptor field, JsonElement json, FieldPath path)
    {
        var n = field.FieldNumber;
        try
        {
            switch (field.FieldType)
            {
                case FieldType.Message:
                    var nested = EncodeMessage(field.MessageType, json, path);
                    output.WriteTag(n, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(nested.Memory.GetBuffer(), 0, (int)nested.Memory.Length));
                    nested.Return();
                    break;
                case FieldType.String:
                    output.WriteTag(n, WireFormat.WireType.LengthDelimited);
                    output.WriteString(json.ValueKind == JsonValueKind.String ? json.GetString()! : throw Mismatch(path, "a string", json));
                    break;
                case FieldType.Bytes:
                    output.WriteTag(n, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(json.ValueKind == JsonValueKind.String && json.TryGetBytesFromBase64(out var bytes) ? bytes : throw Mismatch(path, "a base64 string", json)));
                    break;
                case FieldType.Bool:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteBool(json.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Mismatch(path, "true or false", json) });
                    break;
                case FieldType.Enum:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteEnum(json.ValueKind == JsonValueKind.String
                        ? field.EnumType.FindValueByName(json.GetString()!)?.Number ?? throw Mismatch(path, $"a symbol of {field.EnumType.FullName}", json)
                        : (int)Integer(json, path, int.MinValue, int.MaxValue));
                    break;
                case FieldType.Double:
                    output.WriteTag(n, WireFormat.WireType.Fixed64);
                    output.WriteDouble(Floating(json, path));
                    break;
                case FieldType.Float:
                    output.WriteTag(n, WireFormat.WireType.Fixed32);
                    output.WriteFloat((float)Floating(json, path));
                    break;
                case FieldType.Int32:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteInt32((int)Integer(json, path, int.MinValue, int.MaxValue));
                    break;
                case FieldType.SInt32:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteSInt32((int)Integer(json, path, int.MinValue, int.MaxValue));
                    break;
                case FieldType.SFixed32:
                    output.WriteTag(n, WireFormat.WireType.Fixed32);
                    output.WriteSFixed32((int)Integer(json, path, int.MinValue, int.MaxValue));
                    break;
                case FieldType.UInt32:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteUInt32((uint)Integer(json, path, 0, uint.MaxValue));
                    break;
                case FieldType.Fixed32:
                    output.WriteTag(n, WireFormat.WireType.Fixed32);
                    output.WriteFixed32((uint)Integer(json, path, 0, uint.MaxValue));
                    break;
                case FieldType.Int64:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteInt64((long)Integer(json, path, long.MinValue, long.MaxValue));
                    break;
                case FieldType.SInt64:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteSInt64((long)Integer(json, path, long.MinValue, long.MaxValue));
                    break;
                case FieldType.SFixed64:
                    output.WriteTag(n, WireFormat.WireType.Fixed64);
                    output.WriteSFixed64((long)Integer(json, path, long.MinValue, long.MaxValue));
                    break;
                case FieldType.UInt64:
                    output.WriteTag(n, WireFormat.WireType.Varint);
                    output.WriteUInt64((ulong)Integer(json, path, 0, ulong.MaxValue));
                    break;
                case FieldType.Fixed64:
                    output.WriteTag(n, WireFormat.WireType.Fixed64);
                    output.WriteFixed64((ulong)Integer(json, path, 0, ulong.MaxValue));
                    break;
                default:
                    throw new DataWeaverException(ErrorClass.Data, $"{path}: groups are not supported");
            }
        }
        catch (InvalidOperationException exception)
        {
            throw new DataWeaverException(ErrorClass.Data, $"{path}: {exception.Message}", exception);
        }
    }

    private static Int128 Integer(JsonElement json, FieldPath path, Int128 min, Int128 max)
    {
        if (json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var integer))
        {
            return integer >= min && integer <= max ? integer : throw Mismatch(path, $"an integer from {min} to {max}", json);
        }

        var text = json.ValueKind switch
        {
            JsonValueKind.Number => json.GetRawText(),
            JsonValueKind.String => json.GetString()!,
            _ => throw Mismatch(path, "an integer", json),
        };
        return Int128.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Mismatch(path, $"an integer from {min} to {max}", json);
    }

    private static double Floating(JsonElement json, FieldPath path) => json.ValueKind switch
    {
        JsonValueKind.Number => json.GetDouble(),
        JsonValueKind.String when json.GetString() is "NaN" => double.NaN,
        JsonValueKind.String when json.GetString() is "Infinity" => double.PositiveInfinity,
        JsonValueKind.String when json.GetString() is "-Infinity" => double.NegativeInfinity,
        JsonValueKind.String when double.TryParse(json.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw Mismatch(path, "a number", json),
    };

    private static DataWeaverException Mismatch(FieldPath path, string expected, JsonElement found) =>
        new(ErrorClass.Data, $"{path}: expected {expected}, found {(found.ValueKind == JsonValueKind.String ? "the string \"" + found.GetString() + "\"" : found.GetRawText())}");

    /// <summary>
    /// Where a value lies in the record (<c>$.a.b[2]</c>): a prefix and up to one name, index or key, spelled out only
    /// for an error message, so a field of a flat message costs no string.
    /// </summary>
    private readonly struct FieldPath(string prefix, string? name = null, int index = -1, string? key = null)
    {
        private bool HasName => name is not null;

        private bool IsPrefixOnly => name is null && index < 0 && key is null;

        public FieldPath Child(string child) => IsPrefixOnly ? new(prefix, child) : new(ToString(), child);

        public FieldPath Index(int at) => HasName && index < 0 && key is null ? new(prefix, name, at) : new(ToString(), null, at);

        public FieldPath Key(string entry) => HasName && index < 0 && key is null ? new(prefix, name, -1, entry) : new(ToString(), null, -1, entry);

        public override string ToString() =>
            prefix
            + (name is null ? "" : "." + name)
            + (index < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"[{index}]"))
            + (key is null ? "" : "[\"" + key + "\"]");
    }

    /// <summary>A pooled <see cref="MemoryStream"/> and the <see cref="CodedOutputStream"/> over it (one message's bytes).</summary>
    private sealed class Encoded
    {
        [ThreadStatic]
        private static Stack<Encoded>? _pool;

        private Encoded()
        {
            Memory = new MemoryStream();
            Output = new CodedOutputStream(Memory, leaveOpen: true);
        }

        public MemoryStream Memory { get; }

        public CodedOutputStream Output { get; }

        public static Encoded Rent()
        {
            if (_pool is { Count: > 0 } pool)
            {
                var encoded = pool.Pop();
                encoded.Memory.SetLength(0);
                return encoded;
            }

            return new Encoded();
        }

        /// <summary>Gives the buffer back once its bytes were copied out; only after a successful flush (the coded stream is then empty).</summary>
        public void Return()
        {
            var pool = _pool ??= new Stack<Encoded>();
            if (pool.Count < 16 && Memory.Capacity <= 1024 * 1024)
            {
                pool.Push(this);
            }
        }
    }

    /// <summary>The values of one field: a run of the sorted (number, value) list.</summary>
    private readonly struct FieldValues(List<(int Number, object Value)> values, int start, int end)
    {
        public object this[Index index] => values[index.GetOffset(end - start) + start].Value;

        public Enumerator GetEnumerator() => new(values, start, end);

        public struct Enumerator(List<(int Number, object Value)> values, int start, int end)
        {
            private int _index = start - 1;

            public readonly object Current => values[_index].Value;

            public bool MoveNext() => ++_index < end;
        }
    }
}
