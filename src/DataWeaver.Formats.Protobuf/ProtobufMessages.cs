using System.Buffers;
using System.Globalization;
using DataWeaver.Configuration;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;
using DataWeaver.Serialization.Protobuf.Framing;

namespace DataWeaver.Formats.Protobuf;

/// <summary>
/// The <c>protobuf</c> format for messages: each payload is one message, without a size prefix; with
/// <c>framing: confluent</c>, behind the Confluent Schema Registry header (a zero byte, the 4-byte big-endian schema id
/// and the message indexes of the type in its file).
/// </summary>
/// <param name="codec">The message type's codec.</param>
/// <param name="confluent">Whether payloads carry the Confluent header.</param>
/// <param name="schemaId">The id written, and the only one accepted when reading; <see langword="null"/> reads any id and cannot write.</param>
internal sealed class ProtobufMessages(ProtobufJsonCodec codec, bool confluent = false, int? schemaId = null) : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    private readonly int[] _indexes = ConfluentProtobufWireFormat.GetMessageIndexes(codec.Message);

    public string Format => "protobuf";

    public static JsonRecordFormat Create(ProtobufJsonCodec codec, bool confluent = false, int? schemaId = null)
    {
        var messages = new ProtobufMessages(codec, confluent, schemaId);
        return new JsonRecordFormat("protobuf", messages, messages);
    }

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        if (confluent)
        {
            var id = schemaId ?? throw new DataWeaverException(ErrorClass.Fatal, "Writing Confluent-framed protobuf needs the format's schemaId.");
            ConfluentProtobufWireFormat.WriteHeader(writer, id, _indexes);
        }

        writer.Write(codec.Encode(value));
    }

    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        var start = 0;
        if (confluent)
        {
            var header = ConfluentProtobufWireFormat.ReadHeader(data);
            if (schemaId is { } expected && header.SchemaId != expected)
            {
                throw new DeserializationException("protobuf", 1, string.Create(CultureInfo.InvariantCulture, $"the message's schema id is {header.SchemaId}; this format reads id {expected}"));
            }

            if (!header.MessageIndexes.SequenceEqual(_indexes))
            {
                throw new DeserializationException("protobuf", 5, $"the message's indexes [{string.Join(',', header.MessageIndexes)}] name another type than {codec.Message.FullName} [{string.Join(',', _indexes)}]");
            }

            start = header.Length;
        }

        try
        {
            return codec.Decode(data[start..]);
        }
        catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
        {
            throw new DeserializationException("protobuf", start, exception.Message, exception);
        }
    }

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}
