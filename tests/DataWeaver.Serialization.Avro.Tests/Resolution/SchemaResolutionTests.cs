using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Resolution;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Tests.Resolution;

public sealed class SchemaResolutionTests
{
    [Fact]
    public void Read_PromotionsAddedRemovedAndAliasedFields_ResolvedPerSpec()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"W","fields":[{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"s","type":"string"},{"name":"gone","type":"string"},{"name":"old","type":"int"}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","aliases":["W"],"fields":[{"name":"i","type":"double"},{"name":"l","type":"float"},{"name":"f","type":"double"},{"name":"s","type":"bytes"},{"name":"renamed","aliases":["old"],"type":"long"},{"name":"added","type":"string","default":"dflt"}]}""");
        var record = new GenericRecord((RecordSchema)writer) { ["i"] = 7, ["l"] = 9L, ["f"] = 0.5f, ["s"] = "hi", ["gone"] = "x", ["old"] = 3 };

        var result = (GenericRecord)AvroDatum.Read(AvroDatum.ToArray(writer, record), writer, reader)!;

        Assert.Equal(7.0, result["i"]);
        Assert.Equal(9f, result["l"]);
        Assert.Equal(0.5, result["f"]);
        Assert.Equal("hi"u8.ToArray(), result["s"]);
        Assert.Equal(3L, result["renamed"]);
        Assert.Equal("dflt", result["added"]);
    }

    [Fact]
    public void Read_UnknownEnumSymbol_UsesReaderDefault()
    {
        var writer = AvroSchema.Parse("""{"type":"enum","name":"E","symbols":["A","B","C"]}""");
        var reader = AvroSchema.Parse("""{"type":"enum","name":"E","symbols":["A","B","OTHER"],"default":"OTHER"}""");

        var result = (GenericEnum)AvroDatum.Read([4], writer, reader)!;

        Assert.Equal("OTHER", result.Symbol);
    }

    [Fact]
    public void Read_UnionsOnBothSides_ResolvedByBranch()
    {
        var writer = AvroSchema.Parse("""["null","int","string"]""");
        var reader = AvroSchema.Parse("""["string","long","null"]""");

        Assert.Equal(5L, AvroDatum.Read(AvroDatum.ToArray(writer, 5), writer, reader));
        Assert.Null(AvroDatum.Read(AvroDatum.ToArray(writer, null), writer, reader));
        Assert.Equal(42L, AvroDatum.Read(AvroDatum.ToArray(AvroSchema.Parse("\"int\""), 42), AvroSchema.Parse("\"int\""), reader));
    }

    [Fact]
    public void EnsureCompatible_AddedFieldWithoutDefault_ThrowsNamingField()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"R","fields":[]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}""");

        var ex = Assert.Throws<AvroSchemaException>(() => SchemaResolver.EnsureCompatible(writer, reader));

        Assert.Equal("$.fields[0]", ex.JsonPath);
        Assert.Contains("'x'", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownType_ThrowsWithJsonPath()
    {
        var ex = Assert.Throws<AvroSchemaException>(() => AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"Missing"}]}"""));

        Assert.Equal("$.fields[1].type", ex.JsonPath);
        Assert.Contains("unknown type 'Missing'", ex.Problem, StringComparison.Ordinal);
    }
}
