using System.Text;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Serialization.Json;
using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Formats.Tests.Protobuf;

/// <summary>The direct encoder (Utf8JsonReader, no document) and decoder (one pass, no boxing) against the general path: the same bytes and JSON for every message they take.</summary>
public sealed class ProtobufJsonEncoderTests
{
    public static TheoryData<string, string> Records => new()
    {
        { "UninterpretedOption", """{"name":[{"namePart":"a","isExtension":false},{"namePart":"b","isExtension":true}],"identifierValue":"x","positiveIntValue":"18446744073709551615","negativeIntValue":"-5","doubleValue":1.5,"stringValue":"aGk=","aggregateValue":"agg"}""" },
        { "UninterpretedOption", """{"negativeIntValue":-9223372036854775808,"positiveIntValue":0,"doubleValue":-0.0,"name":[]}""" },
        { "UninterpretedOption", """{"identifier_value":"proto name","aggregate_value":"tab\tquote\"slash\\ \u00e9\u4e2d\ud83d\ude00","name":null}""" },
        { "FieldDescriptorProto", """{"name":"f","number":-1,"label":"LABEL_REPEATED","type":11,"oneofIndex":2147483647,"jsonName":"j","options":{"packed":true,"ctype":"CORD","uninterpretedOption":[{"name":[{"namePart":"n","isExtension":false}],"doubleValue":3e-5}]},"proto3Optional":false}""" },
        { "FieldDescriptorProto", """{"proto3Optional":true,"name":"out of order","number":"7"}""" },
        { "FileOptions", """{"javaPackage":"p","optimizeFor":"CODE_SIZE","javaMultipleFiles":true,"ccEnableArenas":false}""" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Encode_RecordOfCommonShapes_TakesTheDirectPathAndWritesWhatTheGeneralPathWrites(string type, string json)
    {
        var descriptor = DescriptorReflection.Descriptor.MessageTypes.SelectMany(Flatten).Single(m => m.Name == type);
        var codec = new ProtobufJsonCodec(descriptor);
        var record = JsonRecord.Parse(json);
        var output = new ArrayBufferWriter<byte>();

        Assert.True(new ProtobufJsonEncoder(descriptor).TryEncode(record.Utf8.Span, output));
        Assert.Equal(Convert.ToHexString(codec.EncodeGeneral(record)), Convert.ToHexString(output.WrittenSpan));
        Assert.Equal(Convert.ToHexString(codec.EncodeGeneral(record)), Convert.ToHexString(codec.Encode(record)));
    }

    [Fact]
    public void Encode_DescriptorProtoDecodedToJson_EncodesToGoogleProtobufsOwnBytes()
    {
        var codec = new ProtobufJsonCodec(FileDescriptorProto.Descriptor);
        var bytes = DescriptorReflection.Descriptor.SerializedData.ToByteArray();
        var record = codec.Decode(bytes.AsSpan());

        Assert.True(new ProtobufJsonEncoder(FileDescriptorProto.Descriptor).TryEncode(record.Utf8.Span, new ArrayBufferWriter<byte>()));
        Assert.Equal(FileDescriptorProto.Parser.ParseFrom(bytes), FileDescriptorProto.Parser.ParseFrom(codec.Encode(record)));
        Assert.Equal(Convert.ToHexString(codec.EncodeGeneral(record)), Convert.ToHexString(codec.Encode(record)));
    }

    [Fact]
    public void Encode_Map_TakesTheGeneralPath()
    {
        var codec = new ProtobufJsonCodec(Struct.Descriptor);
        var record = JsonRecord.Parse("""{"fields":{"a":{"stringValue":"x"},"b":{"numberValue":2}}}""");

        Assert.False(new ProtobufJsonEncoder(Struct.Descriptor).TryEncode(record.Utf8.Span, new ArrayBufferWriter<byte>()));
        Assert.Equal(new Struct { Fields = { ["a"] = Value.ForString("x"), ["b"] = Value.ForNumber(2) } }, Struct.Parser.ParseFrom(codec.Encode(record)));
    }

    [Theory]
    [InlineData("""{"identifierValue":7}""", "$.identifierValue: expected a string, found 7")]
    [InlineData("""{"positiveIntValue":"-1"}""", "$.positiveIntValue: expected an integer from 0 to 18446744073709551615, found the string \"-1\"")]
    [InlineData("""{"negativeIntValue":1.5}""", "$.negativeIntValue: expected an integer from -9223372036854775808 to 9223372036854775807, found 1.5")]
    [InlineData("""{"nope":1}""", "$: google.protobuf.UninterpretedOption has no field 'nope'")]
    [InlineData("""{"name":[{"namePart":"a","isExtension":"yes"}]}""", "$.name[0].isExtension: expected true or false, found the string \"yes\"")]
    public void Encode_RecordThatDoesNotFit_ReportsTheGeneralPathsErrorAndWritesNothing(string json, string message)
    {
        var codec = new ProtobufJsonCodec(UninterpretedOption.Descriptor);
        var output = new ArrayBufferWriter<byte>();
        output.Write("kept"u8);

        var error = Assert.Throws<Errors.DataWeaverException>(() => codec.EncodeDelimited(JsonRecord.Parse(json), output));

        Assert.Equal(message, error.Message);
        Assert.Equal("kept", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    public static TheoryData<bool, string> FlatMessages => new()
    {
        { true, Convert.ToBase64String(new UninterpretedOption { IdentifierValue = "quote \" slash \\ tab \t é 中 😀 <&>", PositiveIntValue = ulong.MaxValue, NegativeIntValue = long.MinValue, DoubleValue = double.NaN, StringValue = ByteString.CopyFrom(0, 255, 7), AggregateValue = "" }.ToByteArray()) },
        { true, Convert.ToBase64String(new UninterpretedOption { NegativeIntValue = -1, DoubleValue = 1e-300 }.ToByteArray()) },
        { false, Convert.ToBase64String(new FieldDescriptorProto { Name = "f", Number = -1, Label = (FieldDescriptorProto.Types.Label)99, Type = FieldDescriptorProto.Types.Type.Message, TypeName = ".a.B", OneofIndex = int.MaxValue, JsonName = "j", Proto3Optional = true }.ToByteArray()) },
        { false, Convert.ToBase64String(new FieldDescriptorProto { Label = FieldDescriptorProto.Types.Label.Optional }.ToByteArray()) },
        { true, "" },
    };

    [Theory]
    [MemberData(nameof(FlatMessages))]
    public void Decode_FlatMessage_TakesTheDirectPathAndWritesWhatTheGeneralPathWrites(bool option, string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var descriptor = option ? UninterpretedOption.Descriptor : FieldDescriptorProto.Descriptor;
        var codec = new ProtobufJsonCodec(descriptor);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(output, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Assert.True(new ProtobufJsonDecoder(descriptor).TryDecode(bytes, writer));
        }

        Assert.Equal(codec.DecodeGeneral(bytes), Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(codec.DecodeGeneral(bytes), codec.Decode(bytes).ToString());
    }

    [Fact]
    public void Decode_NestedRepeatedOrOutOfOrder_TakesTheGeneralPath()
    {
        var nested = new UninterpretedOption { Name = { new UninterpretedOption.Types.NamePart { NamePart_ = "a" } }, IdentifierValue = "x" }.ToByteArray();
        var outOfOrder = new FieldDescriptorProto { Number = 3 }.ToByteArray().Concat(new FieldDescriptorProto { Name = "late" }.ToByteArray()).ToArray();
        using var writer = new System.Text.Json.Utf8JsonWriter(new ArrayBufferWriter<byte>());

        Assert.False(new ProtobufJsonDecoder(UninterpretedOption.Descriptor).TryDecode(nested, writer));
        writer.Reset();
        Assert.False(new ProtobufJsonDecoder(FieldDescriptorProto.Descriptor).TryDecode(outOfOrder, writer));
        Assert.Equal(new ProtobufJsonCodec(FieldDescriptorProto.Descriptor).DecodeGeneral(outOfOrder), new ProtobufJsonCodec(FieldDescriptorProto.Descriptor).Decode(outOfOrder).ToString());
    }

    private static IEnumerable<MessageDescriptor> Flatten(MessageDescriptor m) => m.NestedTypes.SelectMany(Flatten).Prepend(m);
}
