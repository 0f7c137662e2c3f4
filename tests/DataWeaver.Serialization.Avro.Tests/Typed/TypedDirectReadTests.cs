using System.Buffers;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Tests.Typed;

/// <summary>
/// The record bodies' direct reads (a primitive field read by the <c>AvroReader</c> method itself, not a virtual typed reader)
/// and the one-byte varint fast path: the same values, and the same errors at the same offsets.
/// </summary>
public sealed class TypedDirectReadTests
{
    private static readonly AvroSchema Schema = AvroSchema.Parse("""
        {"type":"record","name":"Prims","fields":[
          {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
          {"name":"d","type":"double"},{"name":"s","type":"string"},{"name":"bytes","type":"bytes"}]}
        """);

    public sealed record Prims(bool B, int I, long L, float F, double D, string S, byte[] Bytes);

    public static TheoryData<int, long> Extremes => new()
    {
        { 0, 0 }, { -1, 1 }, { 63, -64 }, { -64, 64 }, { 64, -65 }, { int.MaxValue, long.MaxValue }, { int.MinValue, long.MinValue },
    };

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Deserialize_PrimitiveFieldsAtVarintBoundaries_RoundTrips(int i, long l)
    {
        var value = new Prims(true, i, l, -1.5f, double.Epsilon, "héllo", [0, 255]);
        var buffer = new ArrayBufferWriter<byte>();
        new AvroSerializer<Prims>(Schema).Serialize(value, buffer);

        var read = new AvroDeserializer<Prims>(Schema).Deserialize(buffer.WrittenSpan);

        Assert.Equal(value with { Bytes = read.Bytes }, read);
        Assert.Equal(value.Bytes, read.Bytes);
    }

    [Theory]
    [InlineData("02", 0, "invalid boolean byte 0x02")]
    [InlineData("0180808080", 1, "truncated varint")]
    [InlineData("0180808080100000", 1, "int value 2147483648 is out of the 32-bit range")]
    [InlineData("0102020000", 3, "truncated input: float needs 4 bytes, 2 left")]
    [InlineData("01020200000000000000000000f03f03", 15, "negative length -2")]
    [InlineData("01020200000000000000000000f03f0461", 15, "length 2 goes beyond the end of the input")]
    public void Deserialize_MalformedPrimitiveFields_ThrowsWithTheGenericPathsOffsetAndReason(string hex, long offset, string reason)
    {
        var data = Convert.FromHexString(hex);

        var typed = Assert.Throws<DeserializationException>(() => new AvroDeserializer<Prims>(Schema).Deserialize(data));
        var generic = Assert.Throws<DeserializationException>(() => new AvroDeserializer<object>(Schema).Deserialize(data));

        Assert.Equal(offset, typed.Offset);
        Assert.Contains(reason, typed.Reason, StringComparison.Ordinal);
        Assert.Equal(generic.Offset, typed.Offset);
        Assert.Equal(generic.Reason, typed.Reason);
    }

    [Fact]
    public void Deserialize_ConfluentFramedIntOutOfRange_ReportsTheOffsetInTheWholeMessage()
    {
        var options = new AvroSerializerOptions { Framing = AvroFraming.Confluent, SchemaId = 7 };
        var data = Convert.FromHexString("0000000007" + "0180808080100000");

        var ex = Assert.Throws<DeserializationException>(() => new AvroDeserializer<Prims>(Schema, options).Deserialize(data));

        Assert.Equal(6, ex.Offset); // the 5-byte header, the boolean, then the int
        Assert.Contains("out of the 32-bit range", ex.Reason, StringComparison.Ordinal);
    }
}
