using System.Buffers;
using DataWeaver.Configuration;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Protobuf;

/// <summary>The <c>protobuf</c> format for messages: each payload is one message, without a size prefix.</summary>
internal sealed class ProtobufMessages(ProtobufJsonCodec codec) : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    public string Format => "protobuf";

    public static JsonRecordFormat Create(ProtobufJsonCodec codec)
    {
        var messages = new ProtobufMessages(codec);
        return new JsonRecordFormat("protobuf", messages, messages);
    }

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer) => writer.Write(codec.Encode(value));

    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        try
        {
            return codec.Decode(data);
        }
        catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
        {
            throw new DeserializationException("protobuf", 0, exception.Message, exception);
        }
    }

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}
