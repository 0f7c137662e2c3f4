using System.Text.Json.Nodes;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Formats.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using static DataWeaver.Formats.Tests.Files.FileConnectorTests;

namespace DataWeaver.Formats.Tests.Protobuf;

public sealed class ProtobufFormatTests
{
    private const string Options = """
        {"name":[{"namePart":"a","isExtension":false},{"namePart":"b","isExtension":true}],"identifierValue":"x","positiveIntValue":"18446744073709551615","negativeIntValue":"-5","doubleValue":1.5,"stringValue":"aGk=","aggregateValue":"agg"}
        {"identifierValue":"only"}

        """;

    [Fact]
    public async Task RunAsync_JsonToProtobufAndBack_RoundTripsAndGoogleProtobufReadsTheFile()
    {
        using var run = WithDescriptors();
        run.Write("in.jsonl", Options);
        await run.RunAsync(Pipeline("{ type: file, settings: { path: in.jsonl } }", "{ type: file, format: " + Format("google.protobuf.UninterpretedOption") + ", settings: { path: options.pb } }"));

        using (var file = File.OpenRead(run.PathOf("options.pb")))
        {
            var lines = Options.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in lines)
            {
                var compiled = UninterpretedOption.Parser.ParseDelimitedFrom(file);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(line), JsonNode.Parse(JsonFormatter.Default.Format(compiled))), JsonFormatter.Default.Format(compiled));
            }

            Assert.Equal(file.Length, file.Position);
        }

        await run.RunAsync(Pipeline("{ type: file, format: " + Format("google.protobuf.UninterpretedOption") + ", settings: { path: options.pb } }", "{ type: file, settings: { path: back.jsonl } }"));
        Assert.Equal(Options, run.Read("back.jsonl"));
    }

    [Fact]
    public async Task RunAsync_UndecodableMessage_GoesToDeadLettersAndTheNextOneIsRead()
    {
        using var run = WithDescriptors();
        using (var file = File.Create(run.PathOf("in.pb")))
        {
            new FieldDescriptorProto { Name = "first", Number = 1 }.WriteDelimitedTo(file);
            file.Write([3, 0x0A, 0x05, 0x41]); // a string field that claims 5 bytes and has 1
            new FieldDescriptorProto { Name = "third", Number = 3 }.WriteDelimitedTo(file);
        }

        await run.RunAsync(Pipeline("{ type: file, format: " + Format("google.protobuf.FieldDescriptorProto") + ", settings: { path: in.pb } }", "{ type: file, settings: { path: out.jsonl } }", deadLetter: "{ type: file, settings: { path: dead.jsonl } }"));
        Assert.Equal("{\"name\":\"first\",\"number\":1}\n{\"name\":\"third\",\"number\":3}\n", run.Read("out.jsonl"));
        Assert.StartsWith("in.pb message at byte offset 10: not a google.protobuf.FieldDescriptorProto message", Assert.Single(DeadLetters.Messages(run.Read("dead.jsonl"))), StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0x0A, 0x05, 0x41 }, Assert.Single(DeadLetters.Payloads(run.Read("dead.jsonl"))));
    }

    [Fact]
    public void Validate_UnknownMessageType_NamesTheKey()
    {
        using var run = WithDescriptors();
        var error = Assert.Single(run.Validate(Pipeline("{ type: file, format: " + Format("google.protobuf.Nope") + ", settings: { path: in.pb } }", "{ type: discard }")));
        Assert.EndsWith("format.settings.messageType", error.Path, StringComparison.Ordinal);
        Assert.Contains("has no message 'google.protobuf.Nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Codec_RecordThatDoesNotFit_NamesTheFieldPath()
    {
        var codec = new ProtobufJsonCodec(UninterpretedOption.Descriptor);
        var error = Assert.Throws<Errors.DataWeaverException>(() => codec.Encode(Serialization.Json.JsonRecord.Parse("""{"name":[{"namePart":7}]}""")));
        Assert.Equal("$.name[0].namePart: expected a string, found 7", error.Message);
    }

    [Fact]
    public void Codec_GoodRecordAfterOneThatFailedMidMessage_EncodesExactlyWhatGoogleProtobufWritesForFieldsInNumberOrder()
    {
        var codec = new ProtobufJsonCodec(UninterpretedOption.Descriptor);
        var error = Assert.Throws<Errors.DataWeaverException>(() => codec.Encode(Serialization.Json.JsonRecord.Parse("""{"identifierValue":"half","doubleValue":1.5,"negativeIntValue":"x"}""")));
        Assert.Equal("$.negativeIntValue: expected an integer from -9223372036854775808 to 9223372036854775807, found the string \"x\"", error.Message);

        var bytes = codec.Encode(Serialization.Json.JsonRecord.Parse("""{"name":[{"namePart":"a","isExtension":true}],"identifierValue":"ok","negativeIntValue":-5}"""));

        var expected = new UninterpretedOption { IdentifierValue = "ok", NegativeIntValue = -5 };
        expected.Name.Add(new UninterpretedOption.Types.NamePart { NamePart_ = "a", IsExtension = true });
        Assert.Equal(expected.ToByteArray(), bytes);
    }

    [Fact]
    public void Codec_IntegerOutOfRange_NamesTheFieldPathAndRange()
    {
        var codec = new ProtobufJsonCodec(UninterpretedOption.Descriptor);
        var error = Assert.Throws<Errors.DataWeaverException>(() => codec.Encode(Serialization.Json.JsonRecord.Parse("""{"positiveIntValue":-1}""")));
        Assert.Equal("$.positiveIntValue: expected an integer from 0 to 18446744073709551615, found -1", error.Message);
    }

    [Fact]
    public void Codec_FieldsOutOfOrderSplitAndRepeated_DecodeInNumberOrderWithTheLastSingularValue()
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteString("first");
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(new UninterpretedOption.Types.NamePart { NamePart_ = "x" }.ToByteString());
        output.WriteTag(4, WireFormat.WireType.Varint);
        output.WriteUInt64(7);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(new UninterpretedOption.Types.NamePart { NamePart_ = "y" }.ToByteString());
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteString("last");
        output.Flush();

        var record = new ProtobufJsonCodec(UninterpretedOption.Descriptor).Decode(memory.ToArray().AsSpan());

        Assert.Equal("""{"name":[{"namePart":"x"},{"namePart":"y"}],"identifierValue":"last","positiveIntValue":"7"}""", record.ToString());
    }

    private static string Format(string type) => "{ type: protobuf, settings: { descriptorSet: descriptor.pb, messageType: " + type + " } }";

    private static DefinitionRun WithDescriptors()
    {
        var run = new DefinitionRun(r => r.AddProtobuf());
        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(DescriptorReflection.Descriptor.SerializedData));
        run.Write("descriptor.pb", set.ToByteArray());
        return run;
    }
}
