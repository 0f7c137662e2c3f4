using System.Buffers;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Tests.Serializers;

public sealed class ProtobufDeserializerTests
{
    private const string Truncated = "While parsing a protocol message, the input ended unexpectedly in the middle of a field.";
    private const string Negative = "CodedInputStream encountered an embedded string or message which claimed to have negative size.";

    [Theory]
    [InlineData("18", 1, Truncated)]
    [InlineData("18ffffffffffffffffffff01", 11, "CodedInputStream encountered a malformed varint.")]
    [InlineData("7205616263", 5, Truncated)]
    [InlineData("72ffffffff0f", 6, Negative)]
    [InlineData("72ffffffffffffffffff01", 11, Negative)]
    [InlineData("7af0ffffff07", 6, Truncated)]
    [InlineData("00", 1, "Protocol message contained an invalid tag (zero).")]
    [InlineData("7f", 1, "Protocol message contained a tag with an invalid wire type.")]
    [InlineData("8a01050801", 5, Truncated)]
    [InlineData("8a0102", 3, Truncated)]
    [InlineData("080110", 3, Truncated)]
    [InlineData("a201", 2, Truncated)]
    [InlineData("0b", 1, "Protocol message end-group tag did not match expected tag.")]
    public void Deserialize_MalformedMessage_ThrowsWithFormatOffsetAndReason(string hex, long offset, string reason)
    {
        var data = Convert.FromHexString(hex);
        foreach (var options in new[] { new ProtobufSerializerOptions(), new ProtobufSerializerOptions { RecursionLimit = 20 } })
        {
            var deserializer = new ProtobufDeserializer<AllTypes>(options);

            foreach (var ex in new[]
            {
                Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data)),
                Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Samples.ByteByByte(data))),
            })
            {
                Assert.Equal("protobuf", ex.Format);
                Assert.Equal(offset, ex.Offset);
                Assert.StartsWith(reason, ex.Reason, StringComparison.Ordinal);
                Assert.IsType<InvalidProtocolBufferException>(ex.InnerException);
            }
        }
    }

    [Fact]
    public void Deserialize_FieldClaimingMoreBytesThanTheInput_TruncatedAtAnOffsetInsideTheInput()
    {
        // Found by the fuzz test: a Timestamp, then a Duration field claiming 0x7FFFFFFE bytes. Google.Protobuf 3.25
        // threw IndexOutOfRangeException from inside its parser; 3.36 reports a truncated message.
        var data = Convert.FromHexString("EA0111088092B8C398FEFFFFFF0110FF93EBDC03F201FEFFFFFF070880BCAECE9709");
        var deserializer = new ProtobufDeserializer<AllTypes>();

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));

        Assert.InRange(ex.Offset, 0, data.Length);
        Assert.StartsWith(Truncated, ex.Reason, StringComparison.Ordinal);
        Assert.IsType<InvalidProtocolBufferException>(ex.InnerException);
        Assert.Throws<InvalidProtocolBufferException>(() => AllTypes.Parser.ParseFrom(data));
    }

    [Fact]
    public void Deserialize_InvalidUtf8InStringField_DataErrorAtTheFieldAsGoogleProtobufRefusesIt()
    {
        // Google.Protobuf 3.36 refuses invalid UTF-8 in a string field (3.25 decoded it to U+FFFD); the record goes where
        // the error policy sends it, its original bytes intact.
        var data = Convert.FromHexString("7202fffe");
        var deserializer = new ProtobufDeserializer<AllTypes>();

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));

        Assert.Equal(2, ex.Offset);
        Assert.Contains("invalid UTF-8", ex.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidProtocolBufferException>(ex.InnerException);
        Assert.Throws<InvalidProtocolBufferException>(() => AllTypes.Parser.ParseFrom(data));
    }

    [Fact]
    public void Deserialize_AboveMaxRecordSize_ThrowsBeforeParsing()
    {
        var deserializer = new ProtobufDeserializer<AllTypes>(new ProtobufSerializerOptions { MaxRecordSize = 16 });
        var data = new AllTypes { FString = new string('a', 15) }.ToByteArray();

        var span = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));
        var sequence = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Samples.Segmented(data, 4)));

        Assert.Equal(0, span.Offset);
        Assert.Equal("the message is 17 bytes, above the maximum record size of 16 bytes", span.Reason);
        Assert.Equal(span.Reason, sequence.Reason);
    }

    [Theory]
    [InlineData(100, 100, 101)]
    [InlineData(5, 5, 6)]
    [InlineData(1000, 1000, 1001)]
    public void Deserialize_NestingBeyondRecursionLimit_Throws(int limit, int acceptedDepth, int rejectedDepth)
    {
        var deserializer = new ProtobufDeserializer<Nested>(new ProtobufSerializerOptions { RecursionLimit = limit });
        var accepted = Chain(acceptedDepth).ToByteArray();
        var rejected = Chain(rejectedDepth).ToByteArray();

        Assert.Equal(Chain(acceptedDepth), deserializer.Deserialize(accepted));
        Assert.Equal(Chain(acceptedDepth), deserializer.Deserialize(Samples.Segmented(accepted, 3, 7)));
        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(rejected));
        var segmented = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Samples.Segmented(rejected, 3, 7)));

        Assert.StartsWith("Protocol message had too many levels of nesting.", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(ex.Offset, segmented.Offset);
        Assert.Equal(ex.Reason, segmented.Reason);
    }

    [Fact]
    public void Deserialize_LengthDelimitedFraming_ReadsOneFrameAndRejectsTrailingOrMissingBytes()
    {
        var options = new ProtobufSerializerOptions { Framing = ProtobufFraming.LengthDelimited };
        var deserializer = new ProtobufDeserializer<Nested>(options);
        var buffer = new ArrayBufferWriter<byte>();
        new ProtobufSerializer<Nested>(options).Serialize(new Nested { Name = "ab" }, buffer);
        var frame = buffer.WrittenSpan.ToArray();

        Assert.Equal(Convert.FromHexString("04" + "0a026162"), frame);
        Assert.Equal("ab", deserializer.Deserialize(frame).Name);
        Assert.Equal("ab", deserializer.Deserialize(Samples.ByteByByte(frame)).Name);
        var trailing = Assert.Throws<DeserializationException>(() => deserializer.Deserialize([.. frame, 0]));
        Assert.Equal(5, trailing.Offset);
        Assert.Equal("1 unexpected bytes after the message", trailing.Reason);
        var missing = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(frame.AsSpan(0, 4)));
        Assert.Equal(0, missing.Offset);
        Assert.Equal("truncated message: the length prefix says 4 bytes but only 3 remain", missing.Reason);
        var empty = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(ReadOnlySpan<byte>.Empty));
        Assert.Equal("truncated length prefix: the input ends after 0 of its bytes", empty.Reason);
    }

    [Fact]
    public void Deserialize_ConfluentFramingWithError_OffsetCountsTheHeader()
    {
        var deserializer = new ProtobufDeserializer<AllTypes>(new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent });
        var data = Convert.FromHexString("0000000007" + "00" + "18");

        var span = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));
        var sequence = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Samples.ByteByByte(data)));

        Assert.Equal(7, span.Offset);
        Assert.Equal(7, sequence.Offset);
        Assert.StartsWith(Truncated, span.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_EmptyInput_IsTheEmptyMessage()
    {
        var deserializer = new ProtobufDeserializer<AllTypes>();

        Assert.Equal(new AllTypes(), deserializer.Deserialize(ReadOnlySpan<byte>.Empty));
        Assert.Equal(new AllTypes(), deserializer.Deserialize(ReadOnlySequence<byte>.Empty));
    }

    private static Nested Chain(int depth)
    {
        var root = new Nested { Value = depth };
        var current = root;
        for (var i = 0; i < depth; i++)
        {
            current.Child = new Nested { Value = i };
            current = current.Child;
        }

        return root;
    }
}
