using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Tests.Binary;

public sealed class BadInputTests
{
    private static readonly AvroSchema Schema = AvroSchema.Parse("""
        {"type":"record","name":"R","fields":[
          {"name":"s","type":"string"},
          {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
          {"name":"u","type":["null","long"]},
          {"name":"a","type":{"type":"array","items":"null"}}]}
        """);

    [Theory]
    [InlineData("", 0, "truncated varint")]
    [InlineData("0a61", 0, "length 5 goes beyond the end of the input")]
    [InlineData("01", 0, "negative length -1")]
    [InlineData("02ff", 0, "invalid UTF-8")]
    [InlineData("026104", 2, "unknown enum index 2")]
    [InlineData("02610006", 3, "unknown union branch 3")]
    [InlineData("026100ffffffffffffffffffff01", 3, "malformed varint")]
    [InlineData("0261000002", 5, "truncated varint")]
    [InlineData("02610000feffffffffffffffff01", 14, "block count")]
    [InlineData("026100000000", 5, "1 unexpected bytes")]
    public void Deserialize_MalformedInput_ThrowsWithOffsetAndReason(string hex, long offset, string reason)
    {
        var deserializer = new AvroDeserializer<object>(Schema);

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Convert.FromHexString(hex)));

        Assert.Equal("avro", ex.Format);
        Assert.Equal(offset, ex.Offset);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_AboveMaxRecordSize_Throws()
    {
        var deserializer = new AvroDeserializer<object>(Schema, new AvroSerializerOptions { MaxRecordSize = 16 });

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(new byte[17]));

        Assert.Equal(16, ex.Offset);
        Assert.Contains("above the maximum record size of 16", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AvroFraming.SingleObject, "c302", 0, "wrong single-object marker")]
    [InlineData(AvroFraming.Confluent, "0100000001", 0, "wrong Confluent magic byte")]
    [InlineData(AvroFraming.Confluent, "000000", 3, "truncated Confluent header")]
    public void Deserialize_WrongFraming_Throws(AvroFraming framing, string hex, long offset, string reason)
    {
        var deserializer = new AvroDeserializer<object>(Schema, new AvroSerializerOptions { Framing = framing });
        var data = Convert.FromHexString(hex.PadRight(framing == AvroFraming.SingleObject ? 20 : hex.Length, '0'));

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));

        Assert.Equal(offset, ex.Offset);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }
}
