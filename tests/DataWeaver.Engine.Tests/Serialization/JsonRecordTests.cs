using System.Buffers;
using System.Text;
using System.Text.Json;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

public sealed class JsonRecordTests
{
    private static readonly byte[] Order = Encoding.UTF8.GetBytes(
        """{"id":"o-1","total":12.5,"count":3,"paid":true,"note":null,"tags":["a","b"],"customer":{"name":"Zo\u00eb \"Z\"","address":{"city":"Paris","zip":"75001"}},"big":12345678901234567890}""");

    [Fact]
    public void TryGetField_NestedPath_FindsValueAndKind()
    {
        var record = JsonRecord.Parse(Order);

        Assert.True(record.TryGetField("customer.address", out var address));
        Assert.Equal(JsonValueKind.Object, address.Kind);
        Assert.Equal("""{"city":"Paris","zip":"75001"}""", address.ToString());
        Assert.True(record.TryGetString("customer.address.city", out string? city));
        Assert.Equal("Paris", city);
        Assert.True(record.TryGetField("tags", out var tags));
        Assert.Equal(JsonValueKind.Array, tags.Kind);
        Assert.Equal("""["a","b"]""", tags.ToString());
        Assert.True(record.TryGetField("note", out var note));
        Assert.Equal(JsonValueKind.Null, note.Kind);
    }

    [Fact]
    public void CreateUnchecked_ObjectJustWritten_WrapsTheBytesWithoutCopyAndReadsLikeParse()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "o-1");
            writer.WriteNumber("count", 3);
            writer.WriteEndObject();
        }

        var record = JsonRecord.CreateUnchecked(buffer.WrittenMemory);

        Assert.True(record.Utf8.Span.Overlaps(buffer.WrittenSpan, out var offset) && offset == 0);
        Assert.True(record.TryGetString("id", out string? id));
        Assert.Equal("o-1", id);
        Assert.True(record.TryGetInt64("count", out var count));
        Assert.Equal(3, count);
        Assert.Equal(JsonRecord.Parse(buffer.WrittenMemory).ToString(), record.ToString());
    }

    [Fact]
    public void TryGetNumbers_ByNameAndByEncodedPath_ReadExactValues()
    {
        var record = JsonRecord.Parse(Order);
        var count = JsonFieldPath.Parse("count");

        Assert.True(record.TryGetInt64("count", out var c1));
        Assert.True(record.TryGetInt64(count, out var c2));
        Assert.True(record.TryGetDouble("total", out var d));
        Assert.True(record.TryGetDecimal(JsonFieldPath.Parse("total"), out var m));
        Assert.True(record.TryGetBoolean("paid", out var paid));
        Assert.Equal(3, c1);
        Assert.Equal(3, c2);
        Assert.Equal(12.5, d);
        Assert.Equal(12.5m, m);
        Assert.True(paid);
    }

    [Fact]
    public void TryGet_WrongKindOrOutOfRange_ReturnsFalse()
    {
        var record = JsonRecord.Parse(Order);

        Assert.False(record.TryGetInt64("total", out _));          // has a fraction
        Assert.False(record.TryGetInt64("big", out _));            // above long.MaxValue
        Assert.True(record.TryGetDecimal("big", out var big));
        Assert.Equal(12345678901234567890m, big);
        Assert.False(record.TryGetInt64("id", out _));             // a string
        Assert.False(record.TryGetBoolean("note", out _));         // null
        Assert.False(record.TryGetString("count", out string? _)); // a number
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("42")]
    [InlineData("1.0")]
    [InlineData("1e2")]
    [InlineData("-1E-2")]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("12345678901234567890123")]
    public void TryGetInt64_AnyNumber_SameAnswerAsUtf8JsonReader(string number)
    {
        var json = Encoding.UTF8.GetBytes("{\"n\":" + number + "}");
        var reader = new Utf8JsonReader(json);
        reader.Read();
        reader.Read();
        reader.Read();
        var expected = reader.TryGetInt64(out var expectedValue);

        var found = JsonRecord.Parse(json.AsMemory()).TryGetInt64("n", out var value);

        Assert.Equal((expected, expectedValue), (found, value));
    }

    [Fact]
    public void TryGetField_MissingOrThroughNonObject_ReturnsFalse()
    {
        var record = JsonRecord.Parse(Order);

        Assert.False(record.TryGetField("missing", out _));
        Assert.False(record.TryGetField("customer.missing.city", out _));
        Assert.False(record.TryGetField("id.length", out _));
        Assert.False(record.TryGetField("tags.0", out _));
        Assert.False(default(JsonRecord).TryGetField("id", out _));
        Assert.False(record.TryGetField(JsonFieldPath.FromNames("customer", "address", "country"), out _));
    }

    [Fact]
    public void TryGetField_NameWithDot_FoundByFromNames()
    {
        var record = JsonRecord.Parse("""{"a.b":1,"a":{"b":2}}""");

        Assert.True(record.TryGetInt64(JsonFieldPath.FromNames("a.b"), out var literal));
        Assert.True(record.TryGetInt64("a.b", out var nested));
        Assert.Equal(1, literal);
        Assert.Equal(2, nested);
    }

    [Fact]
    public void TryGetField_EscapedName_MatchesUnescaped()
    {
        var record = JsonRecord.Parse("""{"caf\u00e9":1,"x\"y":2}""");

        Assert.True(record.TryGetInt64("café", out var a));
        Assert.True(record.TryGetInt64(JsonFieldPath.Parse("x\"y"), out var b));
        Assert.Equal(1, a);
        Assert.Equal(2, b);
    }

    [Fact]
    public void TryGetField_DuplicateName_ReadsTheFirst()
    {
        var record = JsonRecord.Parse("""{"a":1,"a":2}""");

        Assert.True(record.TryGetInt64("a", out var a));
        Assert.Equal(1, a);
    }

    [Fact]
    public void TryGetString_IntoSpan_UnescapesAndReportsLength()
    {
        var record = JsonRecord.Parse(Order);
        Span<char> buffer = stackalloc char[32];

        Assert.True(record.TryGetString("customer.name", buffer, out var written));
        Assert.Equal("Zoë \"Z\"", buffer[..written].ToString());
        Assert.True(record.TryGetString(JsonFieldPath.Parse("id"), buffer, out written));
        Assert.Equal("o-1", buffer[..written].ToString());
    }

    [Fact]
    public void TryGetString_DestinationTooSmall_ReturnsFalse()
    {
        var record = JsonRecord.Parse(Order);

        Assert.False(record.TryGetString("customer.name", stackalloc char[6], out _));
        Assert.True(record.TryGetString("customer.name", stackalloc char[7], out var exact));
        Assert.Equal(7, exact);
        Assert.False(record.TryGetString("id", stackalloc char[2], out _));
    }

    [Fact]
    public void Field_Utf8StringAndValueEquals_CompareUnescaped()
    {
        var record = JsonRecord.Parse(Order);
        Assert.True(record.TryGetField("customer.name", out var name));
        Span<byte> utf8 = stackalloc byte[16];

        Assert.True(name.TryGetUtf8String(utf8, out var bytes));
        Assert.Equal("Zoë \"Z\""u8.ToArray(), utf8[..bytes].ToArray());
        Assert.True(name.ValueEquals("Zoë \"Z\""u8));
        Assert.True(name.ValueEquals("Zoë \"Z\"".AsSpan()));
        Assert.False(name.ValueEquals("Zoe"u8));
        Assert.Equal("\"Zo\\u00eb \\\"Z\\\"\"", name.ToString());
    }

    [Fact]
    public void Field_TryGetObject_IsARecordOverTheSameBytes()
    {
        var record = JsonRecord.Parse(Order);
        Assert.True(record.TryGetField("customer", out var customer));

        Assert.True(customer.TryGetObject(out var nested));
        Assert.True(nested.TryGetString("address.zip", out string? zip));
        Assert.Equal("75001", zip);
        Assert.False(nested.TryGetField("id", out _));
    }

    [Fact]
    public void TryGetField_ReadsOnAWarmPath_AllocateNothing()
    {
        var record = JsonRecord.Parse(Order);
        var city = JsonFieldPath.Parse("customer.address.city");
        Span<char> buffer = stackalloc char[64];
        long sum = 0;

        // Warm up: the first calls JIT-compile and fill System.Text.Json's caches.
        record.TryGetString("customer.name", buffer, out _);
        record.TryGetString(city, buffer, out _);

        var warm = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            record.TryGetInt64("count", out var count);
            record.TryGetDecimal("total", out var total);
            record.TryGetDouble("total", out var dbl);
            record.TryGetBoolean("paid", out _);
            record.TryGetString(city, buffer, out var written);
            record.TryGetString("customer.name", buffer, out written);
            record.TryGetField("customer.address.zip", out var zip);
            sum += count + (long)total + (long)dbl + written + (zip.ValueEquals("75001"u8) ? 1 : 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - warm);
        Assert.True(sum > 0);
    }

    [Fact]
    public void Parse_ValidRecord_AllocatesNothing()
    {
        var memory = new ReadOnlyMemory<byte>(Order);
        JsonRecord.Parse(memory);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            JsonRecord.Parse(memory);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Detach_PooledBufferReused_CopyKeepsItsBytes()
    {
        var pooled = ArrayPool<byte>.Shared.Rent(64);
        var json = """{"a":1}"""u8;
        json.CopyTo(pooled);
        var borrowed = JsonRecord.Parse(pooled.AsMemory(0, json.Length));

        var detached = borrowed.Detach();
        "{\"a\":9}"u8.CopyTo(pooled);
        ArrayPool<byte>.Shared.Return(pooled);

        Assert.True(detached.TryGetInt64("a", out var a));
        Assert.Equal(1, a);
        Assert.NotEqual(borrowed, detached);
    }

    [Fact]
    public void Codec_RoundTrip_WritesBytesAsTheyAre()
    {
        var text = """{ "b" : [1, 2], "a" : "x" }""";
        var record = JsonRecordCodec.Default.Deserialize(Encoding.UTF8.GetBytes(text));
        var buffer = new ArrayBufferWriter<byte>();

        JsonRecordCodec.Default.Serialize(record, buffer);

        Assert.Equal(text, Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal("json", JsonRecordCodec.Default.Format);
    }

    [Fact]
    public void Codec_FromSegments_CopiesAndValidates()
    {
        var data = Encoding.UTF8.GetBytes("""{"name":"segmented","n":42}""");

        var record = JsonRecordCodec.Default.Deserialize(Segments.Split(data, 5));

        Assert.True(record.TryGetInt64("n", out var n));
        Assert.Equal(42, n);
    }

    [Fact]
    public void Codec_SerializeDefault_Throws()
    {
        Assert.Throws<ArgumentException>(() => JsonRecordCodec.Default.Serialize(default, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Parse_DepthAtLimit_IsAccepted_AboveIsRejected()
    {
        var options = new JsonRecordOptions { MaxDepth = 3 };

        JsonRecord.Parse("""{"a":{"b":{"c":1}}}""", options);
        var error = Assert.Throws<DeserializationException>(() => JsonRecord.Parse("""{"a":{"b":{"c":[1]}}}""", options));

        Assert.Equal(15, error.Offset);
        Assert.Equal("The maximum configured depth of 3 has been exceeded. Cannot read next JSON array.", error.Reason);
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonRecordOptions { MaxRecordBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonRecordOptions { MaxDepth = 1001 });
        Assert.Equal(1_048_576, JsonRecordOptions.Default.MaxRecordBytes);
        Assert.Equal(64, JsonRecordOptions.Default.MaxDepth);
    }
}
