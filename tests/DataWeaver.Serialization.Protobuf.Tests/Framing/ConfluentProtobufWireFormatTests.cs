using System.Buffers;
using DataWeaver.Serialization.Protobuf.Framing;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Serialization.Protobuf.Tests.Framing;

public sealed class ConfluentProtobufWireFormatTests
{
    [Theory]
    [InlineData(new int[0], "000000002a" + "00")]
    [InlineData(new[] { 0 }, "000000002a" + "00")]
    [InlineData(new[] { 1 }, "000000002a" + "0202")]
    [InlineData(new[] { 1, 2 }, "000000002a" + "040204")]
    [InlineData(new[] { 0, 0 }, "000000002a" + "040000")]
    [InlineData(new[] { 64 }, "000000002a" + "028001")]
    public void WriteHeader_MessageIndexes_ExactBytes(int[] indexes, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();

        ConfluentProtobufWireFormat.WriteHeader(buffer, 42, indexes);

        Assert.Equal(Convert.FromHexString(hex), buffer.WrittenSpan.ToArray());
        Assert.Equal(buffer.WrittenCount, ConfluentProtobufWireFormat.GetHeaderSize(indexes));
        var header = ConfluentProtobufWireFormat.ReadHeader(buffer.WrittenSpan);
        Assert.Equal(42, header.SchemaId);
        Assert.Equal(indexes.Length == 0 ? [0] : indexes, header.MessageIndexes);
        Assert.Equal(buffer.WrittenCount, header.Length);
    }

    [Fact]
    public void Serialize_ConfluentFraming_IndexesFromDescriptorAndExactBytes()
    {
        var options = new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent, SchemaId = 0x01020304 };

        Assert.Equal("00" + "01020304" + "00" + "1801", Hex(new ProtobufSerializer<AllTypes>(options), new AllTypes { FInt32 = 1 }, "1801"));
        Assert.Equal("00" + "01020304" + "0202" + "0807", Hex(new ProtobufSerializer<Envelope>(options), new Envelope { Id = 7 }, "0807"));
        Assert.Equal("00" + "01020304" + "040204" + "0a0163", Hex(new ProtobufSerializer<Envelope.Types.Third>(options), new Envelope.Types.Third { C = "c" }, "0a0163"));
        Assert.Equal("00" + "01020304" + "0204" + "1001", Hex(new ProtobufSerializer<Nested>(options), new Nested { Value = 1 }, "1001"));
        Assert.Equal([0], ConfluentProtobufWireFormat.GetMessageIndexes(Timestamp.Descriptor));
        Assert.Equal([1, 0], ConfluentProtobufWireFormat.GetMessageIndexes(Envelope.Types.First.Descriptor));
    }

    [Fact]
    public void Serialize_ConfluentFramingExplicitIndexes_WritesThemAndRoundTrips()
    {
        var options = new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent, SchemaId = 9, MessageIndexes = [1, 2] };
        var buffer = new ArrayBufferWriter<byte>();
        var message = Samples.Full();

        new ProtobufSerializer<AllTypes>(options).Serialize(message, buffer);

        Assert.Equal(Convert.FromHexString("0000000009040204"), buffer.WrittenSpan[..8].ToArray());
        Assert.Equal(message.ToByteArray(), buffer.WrittenSpan[8..].ToArray());
        var deserializer = new ProtobufDeserializer<AllTypes>(options);
        Assert.Equal(message, deserializer.Deserialize(buffer.WrittenSpan));
        Assert.Equal(message, deserializer.Deserialize(Samples.ByteByByte(buffer.WrittenSpan.ToArray())));
    }

    [Fact]
    public void Write_Message_SameAsSerializer()
    {
        var buffer = new ArrayBufferWriter<byte>();

        ConfluentProtobufWireFormat.Write(buffer, 5, new Envelope.Types.Second { B = 3 });

        Assert.Equal(Convert.FromHexString("0000000005" + "040202" + "0803"), buffer.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("", 0, "truncated Confluent header: the input is empty")]
    [InlineData("01000000010000", 0, "wrong Confluent magic byte 0x01 (expected 0x00)")]
    [InlineData("0000000001", 5, "truncated Confluent header: 5 bytes, the schema id and message indexes need at least 6")]
    [InlineData("000000000101", 5, "negative message-index count -1")]
    [InlineData("00000000010403", 5, "message-index count 2 goes beyond the end of the input (1 bytes remain)")]
    [InlineData("000000000102", 5, "message-index count 1 goes beyond the end of the input (0 bytes remain)")]
    [InlineData("00000000010201", 6, "negative message index -1")]
    [InlineData("000000000180", 6, "truncated message-index count: the input ends inside its varint at byte 5")]
    [InlineData("00000000018002", 5, "message-index count 128 goes beyond the end of the input (0 bytes remain)")]
    [InlineData("00000000018202", 5, "message-index count 129 is above the maximum of 128")]
    [InlineData("0000000001ffffffff1f", 5, "malformed message-index count: the varint is longer than 5 bytes or overflows 32 bits")]
    [InlineData("000000000102ffffffffff", 6, "malformed message index: the varint is longer than 5 bytes or overflows 32 bits")]
    public void Deserialize_BadConfluentHeader_ThrowsWithOffsetAndReason(string hex, long offset, string reason)
    {
        var data = Convert.FromHexString(hex);
        var deserializer = new ProtobufDeserializer<AllTypes>(new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent });

        var span = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));
        var sequence = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Samples.ByteByByte(data)));
        var header = Assert.Throws<DeserializationException>(() => ConfluentProtobufWireFormat.ReadHeader(data));

        foreach (var ex in new[] { span, sequence, header })
        {
            Assert.Equal("protobuf", ex.Format);
            Assert.Equal(offset, ex.Offset);
            Assert.Equal(reason, ex.Reason);
        }
    }

    [Fact]
    public void WriteHeader_NegativeIndex_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfluentProtobufWireFormat.WriteHeader(new ArrayBufferWriter<byte>(), 1, [1, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtobufSerializer<AllTypes>(new ProtobufSerializerOptions { MessageIndexes = [-2] }));
    }

    private static string Hex<T>(ProtobufSerializer<T> serializer, T message, string expectedBody)
        where T : IMessage<T>, new()
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(message, buffer);
        Assert.Equal(expectedBody, Convert.ToHexStringLower(message.ToByteArray()));
        return Convert.ToHexStringLower(buffer.WrittenSpan);
    }
}
