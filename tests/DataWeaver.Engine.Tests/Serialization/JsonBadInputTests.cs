using System.Text;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>Bad input for every JSON decoder: one suite, run by a sealed subclass per decoder and input shape.</summary>
public abstract class JsonBadInputTests
{
    protected abstract void Decode(byte[] data, int maxRecordBytes = JsonRecordOptions.DefaultMaxRecordBytes);

    private DeserializationException Fails(string json) => Fails(Encoding.UTF8.GetBytes(json));

    private DeserializationException Fails(byte[] data, int maxRecordBytes = JsonRecordOptions.DefaultMaxRecordBytes)
    {
        var error = Assert.Throws<DeserializationException>(() => Decode(data, maxRecordBytes));
        Assert.Equal("json", error.Format);
        Assert.Equal(ErrorClass.Data, error.ErrorClass);
        return error;
    }

    [Fact]
    public void Decode_Malformed_ReportsOffsetAndReason()
    {
        var error = Fails("""{"id":tru}""");

        Assert.Equal(9, error.Offset);
        Assert.StartsWith("'tru}' is an invalid JSON literal. Expected the literal 'true'.", error.Reason);
    }

    [Fact]
    public void Decode_TruncatedString_ReportsEndOfData()
    {
        var error = Fails("""{"id":"o-1","to""");

        Assert.Equal(15, error.Offset);
        Assert.StartsWith("Expected end of string, but instead reached end of data.", error.Reason);
    }

    [Fact]
    public void Decode_UnclosedObject_ReportsEndOfData()
    {
        var error = Fails("""{"id":"o-1" """);

        Assert.Equal(12, error.Offset);
        Assert.StartsWith("Expected depth to be zero at the end of the JSON payload.", error.Reason);
    }

    [Fact]
    public void Decode_InvalidUtf8_ReportsFirstBadByte()
    {
        var error = Fails([.. "{\"id\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

        Assert.Equal(7, error.Offset);
        Assert.Equal("invalid UTF-8", error.Reason);
    }

    [Fact]
    public void Decode_TrailingData_ReportsIt()
    {
        var error = Fails("""{"id":"1"} x""");

        Assert.Equal(11, error.Offset);
        Assert.StartsWith("'x' is invalid after a single JSON value. Expected end of data.", error.Reason);
    }

    [Fact]
    public void Decode_ErrorOnThirdLine_ReportsAbsoluteOffset()
    {
        var error = Fails("{\n  \"id\": \"1\",\n  \"total\": x\n}");

        Assert.Equal(26, error.Offset);
        Assert.StartsWith("'x' is an invalid start of a value.", error.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Decode_NoValue_ReportsEndOfInput(string json)
    {
        var error = Fails(json);

        Assert.Equal(json.Length, error.Offset);
        Assert.StartsWith("The input does not contain any JSON tokens.", error.Reason);
    }

    [Fact]
    public void Decode_Oversized_ReportsTheLimit()
    {
        var error = Fails(Encoding.UTF8.GetBytes("""{"id":"1234567890"}"""), maxRecordBytes: 16);

        Assert.Equal(16, error.Offset);
        Assert.Equal("the record is 19 bytes, above the maximum record size of 16 bytes", error.Reason);
    }

    [Fact]
    public void Decode_AtTheLimit_Succeeds()
    {
        Decode(Encoding.UTF8.GetBytes("""{"id":"1","total":1,"customer":{"name":"a","address":{"city":"b","zip":"c"}}}"""), maxRecordBytes: 79);
    }

    [Fact]
    public void Decode_Array_IsNotAnObject()
    {
        var error = Fails("  [1,2]");

        Assert.Equal(ArrayOffset, error.Offset);
        Assert.Equal(ArrayReason, error.Reason);
    }

    [Fact]
    public void Decode_Null_IsNotAnObject()
    {
        var error = Fails(" null");

        Assert.Equal(1, error.Offset);
        Assert.Equal(NullReason, error.Reason);
    }

    protected abstract long ArrayOffset { get; }

    protected abstract string ArrayReason { get; }

    protected abstract string NullReason { get; }
}

public abstract class TypedJsonBadInputTests : JsonBadInputTests
{
    protected override long ArrayOffset => 3;

    protected override string ArrayReason => "The JSON value could not be converted to DataWeaver.Tests.Serialization.Order. Path: $";

    protected override string NullReason => "the value is null, expected Order";

    [Fact]
    public void Decode_WrongFieldType_ReportsPathAndOffset()
    {
        var error = Assert.Throws<DeserializationException>(() => Decode(Encoding.UTF8.GetBytes("""{"id":"1","total":"abc"}""")));

        Assert.Equal(23, error.Offset);
        Assert.Equal("The JSON value could not be converted to DataWeaver.Tests.Serialization.Order. Path: $.total", error.Reason);
    }
}

public sealed class TypedSpanJsonBadInputTests : TypedJsonBadInputTests
{
    protected override void Decode(byte[] data, int maxRecordBytes) =>
        new JsonRecordDeserializer<Order>(OrderJsonContext.Default.Order, maxRecordBytes).Deserialize(data);
}

public sealed class TypedSequenceJsonBadInputTests : TypedJsonBadInputTests
{
    protected override void Decode(byte[] data, int maxRecordBytes) =>
        new JsonRecordDeserializer<Order>(maxRecordBytes: maxRecordBytes).Deserialize(Segments.Split(data, 3));
}

public abstract class SchemalessJsonBadInputTests : JsonBadInputTests
{
    protected override long ArrayOffset => 2;

    protected override string ArrayReason => "expected a JSON object, found an array";

    protected override string NullReason => "expected a JSON object, found null";

    [Fact]
    public void Decode_String_IsNotAnObject()
    {
        var error = Assert.Throws<DeserializationException>(() => Decode("\"x\""u8.ToArray()));

        Assert.Equal(0, error.Offset);
        Assert.Equal("expected a JSON object, found a string", error.Reason);
    }
}

public sealed class JsonRecordParseBadInputTests : SchemalessJsonBadInputTests
{
    protected override void Decode(byte[] data, int maxRecordBytes) =>
        JsonRecord.Parse(data, new JsonRecordOptions { MaxRecordBytes = maxRecordBytes });
}

public sealed class JsonRecordCodecSequenceBadInputTests : SchemalessJsonBadInputTests
{
    protected override void Decode(byte[] data, int maxRecordBytes) =>
        new JsonRecordCodec(new JsonRecordOptions { MaxRecordBytes = maxRecordBytes }).Deserialize(Segments.Split(data, 3));
}
