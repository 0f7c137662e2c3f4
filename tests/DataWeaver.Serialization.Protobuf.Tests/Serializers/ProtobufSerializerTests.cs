using System.Buffers;
using DataWeaver.Buffers;
using DataWeaver.Errors;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Serialization.Protobuf.Tests.Serializers;

public sealed class ProtobufSerializerTests
{
    public static IEnumerable<object[]> Cases() => Samples.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Serialize_GeneratedMessage_ByteIdenticalToToByteArrayAndRoundTrips(string name, IMessage message)
    {
        Assert.NotNull(name);
        switch (message)
        {
            case AllTypes m: AssertIdenticalAndRoundTrips(m); break;
            case Timestamp m: AssertIdenticalAndRoundTrips(m); break;
            case Duration m: AssertIdenticalAndRoundTrips(m); break;
            case Envelope.Types.Third m: AssertIdenticalAndRoundTrips(m); break;
            default: Assert.Fail("unexpected message type " + message.GetType()); break;
        }
    }

    [Fact]
    public void Serialize_FullMessage_ExactKnownBytesForScalarsPrefix()
    {
        var serializer = new ProtobufSerializer<AllTypes>();
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(new AllTypes { FInt32 = 150, FString = "hi", FSint32 = -1, Color = Color.Red }, buffer);

        // field 3 varint 150, field 7 zig-zag -1, field 14 "hi", field 16 enum 1 (tag 0x80 0x01)
        Assert.Equal(Convert.FromHexString("18960138017202686980" + "0101"), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Serialize_SmallSpansFromWriter_SameBytes()
    {
        var message = Samples.Full();
        var writer = new ChunkedBufferWriter(3);

        new ProtobufSerializer<AllTypes>().Serialize(message, writer);

        Assert.Equal(message.ToByteArray(), writer.Written);
    }

    [Fact]
    public void Serialize_PooledBufferWriter_SameBytes()
    {
        var message = Samples.Full();
        using var writer = new PooledBufferWriter(16);

        new ProtobufSerializer<AllTypes>().Serialize(message, writer);

        Assert.Equal(message.ToByteArray(), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Serialize_AboveMaxRecordSize_ThrowsRecordTooLargeAndWritesNothing()
    {
        var serializer = new ProtobufSerializer<AllTypes>(new ProtobufSerializerOptions { MaxRecordSize = 16 });
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<RecordTooLargeException>(() => serializer.Serialize(new AllTypes { FString = new string('a', 15) }, buffer));

        Assert.Equal(17, ex.Size);
        Assert.Equal(16, ex.Limit);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Serialize_NullMessage_ThrowsArgumentNull()
    {
        var serializer = new ProtobufSerializer<AllTypes>();

        Assert.Throws<ArgumentNullException>(() => serializer.Serialize(null!, new ArrayBufferWriter<byte>()));
    }

    [Theory]
    [InlineData(15, 100)]
    [InlineData((1 << 30) + 1, 100)]
    [InlineData(1024, 0)]
    [InlineData(1024, 1001)]
    public void Constructor_OptionOutOfRange_ThrowsArgumentOutOfRange(int maxRecordSize, int recursionLimit)
    {
        var options = new ProtobufSerializerOptions { MaxRecordSize = maxRecordSize, RecursionLimit = recursionLimit };

        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtobufSerializer<AllTypes>(options));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtobufDeserializer<AllTypes>(options));
    }

    [Fact]
    public void Format_IsProtobuf()
    {
        Assert.Equal("protobuf", new ProtobufSerializer<AllTypes>().Format);
        Assert.Equal("protobuf", new ProtobufDeserializer<AllTypes>().Format);
    }

    private static void AssertIdenticalAndRoundTrips<T>(T message)
        where T : IMessage<T>, new()
    {
        var buffer = new ArrayBufferWriter<byte>();
        new ProtobufSerializer<T>().Serialize(message, buffer);
        var bytes = buffer.WrittenSpan.ToArray();

        Assert.Equal(message.ToByteArray(), bytes);
        var deserializer = new ProtobufDeserializer<T>();
        Assert.Equal(message, deserializer.Deserialize(bytes));
        Assert.Equal(message, deserializer.Deserialize(Samples.ByteByByte(bytes)));
        Assert.Equal(message, deserializer.Deserialize(Samples.Segmented(bytes, bytes.Length / 2)));
        Assert.Equal(message, new ProtobufDeserializer<T>(new ProtobufSerializerOptions { RecursionLimit = 10 }).Deserialize(Samples.Segmented(bytes, 1, 2)));
    }
}
