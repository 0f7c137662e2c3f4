using System.Buffers;
using DataWeaver.Errors;
using DataWeaver.Serialization.Protobuf.Framing;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Tests.Framing;

public sealed class ProtobufDelimitedTests
{
    private static readonly AllTypes[] Messages =
    [
        Samples.Full(),
        new AllTypes(),
        new AllTypes { FString = new string('s', 200) },
        new AllTypes { FBytes = ByteString.CopyFrom(new byte[40_000]) },
        new AllTypes { Number = 7 },
    ];

    [Fact]
    public void Write_Messages_ByteIdenticalToWriteDelimitedTo()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var expected = new MemoryStream();

        foreach (var message in Messages)
        {
            ProtobufDelimited.Write(message, buffer);
            message.WriteDelimitedTo(expected);
        }

        Assert.Equal(expected.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Write_ShortMessage_ExactBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();

        ProtobufDelimited.Write(new Nested { Value = 1 }, buffer);
        ProtobufDelimited.Write(new Nested(), buffer);
        ProtobufDelimited.Write(new Nested { Name = new string('a', 200) }, buffer);

        Assert.Equal(Convert.FromHexString("021001" + "00" + "cb01" + "0ac801"), buffer.WrittenSpan[..9].ToArray());
        Assert.Equal(3 + 1 + 2 + 203, buffer.WrittenCount);
    }

    [Fact]
    public void Write_AboveMaxRecordSize_ThrowsAndWritesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<RecordTooLargeException>(() => ProtobufDelimited.Write(new Nested { Name = new string('a', 20) }, buffer, 16));

        Assert.Equal(22, ex.Size);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void ReadAll_StreamWrittenByWriteDelimitedTo_ReadsEveryMessage()
    {
        var data = DelimitedBytes();

        Assert.Equal(Messages, ProtobufDelimited.ReadAll<AllTypes>(new MemoryStream(data)).ToArray());
        Assert.Equal(Messages, ProtobufDelimited.ReadAll<AllTypes>(new TrickleStream(data, 1)).ToArray());
        Assert.Equal(Messages, ProtobufDelimited.ReadAll<AllTypes>(new TrickleStream(data, 7)).ToArray());
        Assert.Equal(Messages, ProtobufDelimited.ReadAll<AllTypes>(new ReadOnlySequence<byte>(data)).ToArray());
    }

    [Fact]
    public async Task ReadAllAsync_TricklingStream_ReadsEveryMessage()
    {
        var data = DelimitedBytes();
        var read = new List<AllTypes>();

        await foreach (var message in ProtobufDelimited.ReadAllAsync<AllTypes>(new TrickleStream(data, 3)))
        {
            read.Add(message);
        }

        Assert.Equal(Messages, read);
    }

    [Fact]
    public void ReadAll_OurFramesReadByParseDelimitedFrom_SameMessages()
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var message in Messages)
        {
            ProtobufDelimited.Write(message, buffer);
        }

        using var stream = new MemoryStream(buffer.WrittenSpan.ToArray());
        foreach (var message in Messages)
        {
            Assert.Equal(message, AllTypes.Parser.ParseDelimitedFrom(stream));
        }

        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void TryRead_EverySplitPoint_ReadsEachMessageOnceWithConsumedBytes()
    {
        var first = new Nested { Name = "first", Value = 1 };
        var second = new Nested { Name = new string('x', 150) };
        var data = Frames(first, second);
        var firstFrame = 1 + first.CalculateSize();

        for (var cut = 0; cut <= data.Length; cut++)
        {
            var reader = new ProtobufDelimitedReader<Nested>();
            var sequence = Samples.Segmented(data, cut, cut + 1);

            Assert.True(reader.TryRead(sequence, isFinalBlock: true, out var m1, out var c1));
            Assert.True(reader.TryRead(sequence.Slice(c1), isFinalBlock: true, out var m2, out var c2));
            Assert.False(reader.TryRead(sequence.Slice(c1 + c2), isFinalBlock: true, out _, out var c3));

            Assert.Equal(first, m1);
            Assert.Equal(second, m2);
            Assert.Equal(firstFrame, c1);
            Assert.Equal(data.Length - firstFrame, c2);
            Assert.Equal(0, c3);
            Assert.Equal(data.Length, reader.Position);
        }
    }

    [Fact]
    public void TryRead_PartialFrameNotFinal_ReturnsFalseUntilComplete()
    {
        var data = Frames(new Nested { Name = new string('y', 130) });
        var reader = new ProtobufDelimitedReader<Nested>();

        for (var available = 0; available < data.Length; available++)
        {
            Assert.False(reader.TryRead(new ReadOnlySequence<byte>(data, 0, available), isFinalBlock: false, out _, out var consumed));
            Assert.Equal(0, consumed);
        }

        Assert.True(reader.TryRead(Samples.ByteByByte(data), isFinalBlock: false, out var message, out var all));
        Assert.Equal(130, message.Name.Length);
        Assert.Equal(data.Length, all);
    }

    [Theory]
    [InlineData("0210", 2, "truncated message: the length prefix says 2 bytes but only 1 remain")]
    [InlineData("80", 2, "truncated length prefix: the input ends after 1 of its bytes")]
    [InlineData("ffffffffffffffffff01", 2, "negative length prefix -1")]
    [InlineData("ffffffffffffffffffff01", 2, "malformed length prefix: the varint is longer than 10 bytes or overflows 64 bits")]
    [InlineData("ffffffffffffffffff02", 2, "malformed length prefix: the varint is longer than 10 bytes or overflows 64 bits")]
    [InlineData("ffffffff0f", 2, "the length prefix says 4294967295 bytes, above the maximum record size of 1048576 bytes")]
    [InlineData("8180c000", 2, "the length prefix says 1048577 bytes, above the maximum record size of 1048576 bytes")]
    public void ReadAll_BadFrameAfterAGoodOne_ThrowsNamingTheStreamOffset(string hex, long offset, string reason)
    {
        var data = Convert.FromHexString("0000" + hex);

        foreach (var read in new Func<List<Nested>>[]
        {
            () => ProtobufDelimited.ReadAll<Nested>(new ReadOnlySequence<byte>(data)).ToList(),
            () => ProtobufDelimited.ReadAll<Nested>(new TrickleStream(data, 1)).ToList(),
            () => ProtobufDelimited.ReadAll<Nested>(Samples.ByteByByte(data)).ToList(),
        })
        {
            var ex = Assert.Throws<DeserializationException>(read);

            Assert.Equal("protobuf", ex.Format);
            Assert.Equal(offset, ex.Offset);
            Assert.Equal(reason, ex.Reason);
        }
    }

    [Fact]
    public void TryRead_OversizedPrefixNotFinal_ThrowsBeforeTheMessageArrives()
    {
        var reader = new ProtobufDelimitedReader<Nested>(new ProtobufSerializerOptions { MaxRecordSize = 100 });

        var ex = Assert.Throws<DeserializationException>(() => reader.TryRead(new ReadOnlySequence<byte>([0x65]), isFinalBlock: false, out _, out _));

        Assert.Equal(0, ex.Offset);
        Assert.Equal("the length prefix says 101 bytes, above the maximum record size of 100 bytes", ex.Reason);
    }

    [Fact]
    public void ReadAll_MalformedMessageInsideSecondFrame_OffsetIsWithinTheStream()
    {
        // frame 1: 0x02 0x10 0x01 (value = 1); frame 2: 0x02 0x10 0xff (varint truncated inside the message)
        var data = Convert.FromHexString("021001" + "0210ff");

        var ex = Assert.Throws<DeserializationException>(() => ProtobufDelimited.ReadAll<Nested>(new MemoryStream(data)).ToList());

        Assert.Equal(6, ex.Offset);
        Assert.StartsWith("While parsing a protocol message, the input ended unexpectedly", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAllAsync_TruncatedFinalMessage_YieldsEarlierMessagesThenThrows()
    {
        var data = Frames(new Nested { Value = 1 }, new Nested { Name = "cut" });
        var truncated = data.AsSpan(0, data.Length - 1).ToArray();
        var read = new List<Nested>();

        var ex = await Assert.ThrowsAsync<DeserializationException>(async () =>
        {
            await foreach (var message in ProtobufDelimited.ReadAllAsync<Nested>(new TrickleStream(truncated, 2)))
            {
                read.Add(message);
            }
        });

        Assert.Equal([new Nested { Value = 1 }], read);
        Assert.Equal(3, ex.Offset);
        Assert.Equal("truncated message: the length prefix says 5 bytes but only 4 remain", ex.Reason);
    }

    private static byte[] DelimitedBytes()
    {
        using var stream = new MemoryStream();
        foreach (var message in Messages)
        {
            message.WriteDelimitedTo(stream);
        }

        return stream.ToArray();
    }

    private static byte[] Frames(params Nested[] messages)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            ProtobufDelimited.Write(message, buffer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
