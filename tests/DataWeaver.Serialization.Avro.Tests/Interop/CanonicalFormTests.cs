using System.Text.Json.Nodes;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Tests.Interop;

public sealed class CanonicalFormTests
{
    public static TheoryData<string> Schemas => new()
    {
        "\"int\"",
        "[\"null\", {\"type\":\"array\",\"items\":\"long\"}, {\"type\":\"map\",\"values\":\"double\"}]",
        """{"type":"record","name":"User","namespace":"com.example","doc":"d","aliases":["Person"],"fields":[{"name":"id","type":"long","default":0,"doc":"x"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["A","B"],"default":"A"}},{"name":"hash","type":{"type":"fixed","name":"org.x.Hash","size":16}},{"name":"other","type":["null","Color","User"]}]}""",
        """{"type":"record","name":"Node","fields":[{"name":"children","type":{"type":"array","items":"Node"}}]}""",
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void CanonicalForm_ComparedWithPythonAvro_IdenticalTextAndFingerprint(string json)
    {
        var expected = PythonAvro.RunJson("canonical", json);

        var schema = AvroSchema.Parse(json);

        Assert.Equal((string)expected["canonical"]!, schema.CanonicalForm);
        Assert.Equal((long)expected["crc64"]!, schema.Fingerprint);
    }

    [Theory]
    [InlineData("\"null\"", 7195948357588979594L)]
    [InlineData("\"int\"", 8247732601305521295L)]
    [InlineData("\"string\"", -8142146995180207161L)]
    public void Fingerprint_Primitive_MatchesSpecificationTestValue(string json, long expected) =>
        Assert.Equal(expected, AvroSchema.Parse(json).Fingerprint);

    [Fact]
    public void CanonicalForm_LogicalTypeOnPrimitive_IsThePlainPrimitiveName()
    {
        // The specification's [PRIMITIVES] rule; Python avro 1.11.1 prints {"type":"string"} here instead.
        var schema = AvroSchema.Parse("""{"type":"string","logicalType":"uuid"}""");

        Assert.Equal("\"string\"", schema.CanonicalForm);
        Assert.Equal(AvroLogicalType.Uuid, schema.LogicalType);
    }

    [Fact]
    public void CanonicalForm_NamedTypeWithNamespace_UsesFullNamesAndStripsAttributes()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","namespace":"a.b","doc":"x","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]},"default":"X"},{"name":"e2","type":"E"}]}""");

        Assert.Equal("""{"name":"a.b.R","type":"record","fields":[{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["X"]}},{"name":"e2","type":"a.b.E"}]}""", schema.CanonicalForm);
        _ = JsonNode.Parse(schema.ToJson());
    }
}
