using System.Buffers;
using System.Text.Json;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal.Typed;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;
using DataWeaver.Serialization.Avro.Tests.Fuzz;

namespace DataWeaver.Serialization.Avro.Tests.Typed;

/// <summary>The typed read and write paths: schema resolution straight into C# types, and the same bytes and values as the generic path.</summary>
public sealed class TypedPathTests
{
    public enum Level { Low, High, Other }

    public sealed record Promoted(long I, double L, double F, float Small, byte[] S, string B);

    public sealed record Evolved(long Id, string Name, int Added, Level Level, string LevelName, string? Note, long? Score);

    public sealed class Settable
    {
        public long Id { get; set; }

        public string Name { get; init; } = string.Empty;

        public List<int> Values { get; set; } = [];

        public Dictionary<string, double> Map { get; set; } = [];
    }

    public sealed record Mixed(long Id)
    {
        public string? Extra { get; set; }
    }

    public sealed record Strict(long Value);

    private static readonly AvroSchema PromotionWriter = AvroSchema.Parse("""
        {"type":"record","name":"P","fields":[{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"small","type":"int"},{"name":"s","type":"string"},{"name":"b","type":"bytes"}]}
        """);

    private static readonly AvroSchema PromotionReader = AvroSchema.Parse("""
        {"type":"record","name":"P","fields":[{"name":"i","type":"long"},{"name":"l","type":"double"},{"name":"f","type":"double"},{"name":"small","type":"float"},{"name":"s","type":"bytes"},{"name":"b","type":"string"}]}
        """);

    private static readonly AvroSchema EvolvedWriter = AvroSchema.Parse("""
        {"type":"record","name":"E","namespace":"old","fields":[
          {"name":"id","type":"int"},
          {"name":"gone","type":{"type":"array","items":{"type":"record","name":"G","fields":[{"name":"x","type":"string"}]}}},
          {"name":"fullName","type":"string"},
          {"name":"level","type":{"type":"enum","name":"L","symbols":["Low","Mid","High"]}},
          {"name":"levelName","type":"L"},
          {"name":"note","type":["null","string","int"]},
          {"name":"score","type":"int"}]}
        """);

    private static readonly AvroSchema EvolvedReader = AvroSchema.Parse("""
        {"type":"record","name":"Evolved","aliases":["old.E"],"fields":[
          {"name":"id","type":"long"},
          {"name":"name","aliases":["fullName"],"type":"string"},
          {"name":"added","type":"int","default":5},
          {"name":"level","type":{"type":"enum","name":"L","aliases":["old.L"],"symbols":["Low","High","Other"],"default":"Other"}},
          {"name":"levelName","type":"L"},
          {"name":"note","type":["null","string"]},
          {"name":"score","type":["null","long"],"default":null}]}
        """);

    [Fact]
    public void Read_Promotions_ReadIntoTypedMembers()
    {
        var data = AvroDatum.ToArray(PromotionWriter, new GenericRecord((RecordSchema)PromotionWriter) { ["i"] = 7, ["l"] = 9L, ["f"] = 0.5f, ["small"] = -3, ["s"] = "hi", ["b"] = "yo"u8.ToArray() });

        var value = new AvroDeserializer<Promoted>(PromotionWriter, new AvroSerializerOptions { ReaderSchema = PromotionReader }).Deserialize(data);

        Assert.Equal(7L, value.I);
        Assert.Equal(9.0, value.L);
        Assert.Equal(0.5, value.F);
        Assert.Equal(-3f, value.Small);
        Assert.Equal("hi"u8.ToArray(), value.S);
        Assert.Equal("yo", value.B);
        Assert.IsType<RecordReader<Promoted>>(TypedReaderBuilder.Get<Promoted>(PromotionWriter, PromotionReader));
    }

    [Fact]
    public void Read_RemovedAddedAliasedEnumDefaultAndUnions_ResolvedPerSpec()
    {
        var data = Encode(EvolvedWriter, 42, [("a"), ("b")], "Ada", "Mid", "High", "note", 8);

        var value = new AvroDeserializer<Evolved>(EvolvedWriter, new AvroSerializerOptions { ReaderSchema = EvolvedReader }).Deserialize(data);

        Assert.Equal(new Evolved(42, "Ada", 5, Level.Other, "High", "note", 8), value);
    }

    [Fact]
    public void Read_WriterUnionNullIntoNullableAndReference_ReadsNull()
    {
        var data = Encode(EvolvedWriter, 1, [], "x", "Low", "Low", null, 0);

        var value = new AvroDeserializer<Evolved>(EvolvedWriter, new AvroSerializerOptions { ReaderSchema = EvolvedReader }).Deserialize(data);

        Assert.Null(value.Note);
        Assert.Equal(0L, value.Score);
        Assert.Equal(Level.Low, value.Level);
    }

    [Fact]
    public void Read_WriterUnionBranchTheReaderCannotRead_ThrowsDataErrorAtTheBranch()
    {
        var data = Encode(EvolvedWriter, 1, [], "x", "Low", "Low", 5, 0);
        var deserializer = new AvroDeserializer<Evolved>(EvolvedWriter, new AvroSerializerOptions { ReaderSchema = EvolvedReader });

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(data));

        Assert.Equal(6, ex.Offset);
        Assert.Equal("writer union branch 2 ('int') cannot be read as 'union': writer type 'int' matches no branch of the reader union [null, string]", ex.Reason);
    }

    [Fact]
    public void Read_EnumSymbolWithoutReaderDefault_ThrowsDataError()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"level","type":{"type":"enum","name":"L","symbols":["Low","Mid"]}}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"level","type":{"type":"enum","name":"L","symbols":["Low","High"]}}]}""");

        var ex = Assert.Throws<DeserializationException>(() => new AvroDeserializer<EnumHolder>(writer, new AvroSerializerOptions { ReaderSchema = reader }).Deserialize([2]));

        Assert.Equal(0, ex.Offset);
        Assert.Equal("writer symbol 'Mid' is not in reader enum 'L', which has no default", ex.Reason);
    }

    [Fact]
    public void Read_NullIntoNonNullableValue_ThrowsMappingError()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"value","type":["null","long"]}]}""");

        var ex = Assert.Throws<DeserializationException>(() => new AvroDeserializer<Strict>(schema).Deserialize([0]));

        Assert.Equal(1, ex.Offset);
        Assert.Equal("the value cannot be mapped to Int64: the value is null but Int64 is not nullable", ex.Reason);
    }

    [Fact]
    public void RoundTrip_SettablePropertiesListsAndMaps_ExactBytesAndValues()
    {
        var schema = AvroSchema.Parse("""
            {"type":"record","name":"S","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},
              {"name":"values","type":{"type":"array","items":"int"}},{"name":"map","type":{"type":"map","values":"double"}}]}
            """);
        var buffer = new ArrayBufferWriter<byte>();

        new AvroSerializer<Settable>(schema).Serialize(new Settable { Id = -1, Name = "n", Values = [1, 2], Map = new() { ["k"] = 1.5 } }, buffer);
        var value = new AvroDeserializer<Settable>(schema).Deserialize(buffer.WrittenSpan);

        Assert.Equal(Convert.FromHexString("01026E04020400" + "02026B000000000000F83F00"), buffer.WrittenSpan.ToArray());
        Assert.Equal(-1, value.Id);
        Assert.Equal("n", value.Name);
        Assert.Equal([1, 2], value.Values);
        Assert.Equal(1.5, value.Map["k"]);
    }

    [Fact]
    public void Read_ConstructorAndSettableProperty_BothFilled()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"M","fields":[{"name":"extra","type":["null","string"]},{"name":"id","type":"long"}]}""");

        var value = new AvroDeserializer<Mixed>(schema).Deserialize([2, 2, (byte)'e', 6]);

        Assert.Equal(3, value.Id);
        Assert.Equal("e", value.Extra);
    }

    [Fact]
    public void TypedPath_RandomOrders_SameBytesAndValuesAsGenericPath()
    {
        var random = new Random(7);
        var serializer = new AvroSerializer<FuzzOrder>(FuzzModel.WriterSchema);
        var deserializer = new AvroDeserializer<FuzzOrder>(FuzzModel.WriterSchema);
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 300; i++)
        {
            var order = FuzzModel.RandomOrder(random);
            buffer.ResetWrittenCount();

            serializer.Serialize(order, buffer);
            var generic = AvroDatum.Read(buffer.WrittenSpan, FuzzModel.WriterSchema);
            var typed = deserializer.Deserialize(buffer.WrittenSpan);

            Assert.Equal(AvroDatum.ToArray(FuzzModel.WriterSchema, AvroDatum.Read(buffer.WrittenSpan, FuzzModel.WriterSchema)), buffer.WrittenSpan.ToArray());
            Assert.Equal(JsonSerializer.Serialize(AvroDatum.ConvertTo<FuzzOrder>(generic, FuzzModel.WriterSchema, 0)), JsonSerializer.Serialize(typed));
            Assert.Equal(JsonSerializer.Serialize(order), JsonSerializer.Serialize(typed));
        }
    }

    [Fact]
    public void Serialize_TypedRecordIntoReusedBuffer_AllocatesNothing()
    {
        var schema = AvroSchema.Parse("""
            {"type":"record","name":"Evolved","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"added","type":"int"},
              {"name":"level","type":{"type":"enum","name":"Level","symbols":["Low","High","Other"]}},{"name":"levelName","type":"string"},
              {"name":"note","type":["null","string"]},{"name":"score","type":["null","long"]}]}
            """);
        var serializer = new AvroSerializer<Evolved>(schema);
        var value = new Evolved(1, "a", 2, Level.High, "High", null, 3);
        var buffer = new ArrayBufferWriter<byte>(256);
        serializer.Serialize(value, buffer);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(value, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Convert.FromHexString("02026104020848696768000206"), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Serialize_NullInNonNullField_ThrowsWithFieldPath()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"P","fields":[{"name":"name","type":"string"}]}""");

        var ex = Assert.Throws<AvroEncodingException>(() => new AvroSerializer<NameHolder>(schema).Serialize(new NameHolder(null), new ArrayBufferWriter<byte>()));

        Assert.Equal("$.name", ex.Path);
    }

    [Fact]
    public void Read_NonUnionWriterIntoReaderUnionAndCollectionInterfaces_Resolved()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"C","fields":[{"name":"count","type":"int"},{"name":"items","type":{"type":"array","items":"int"}},{"name":"names","type":{"type":"array","items":"string"}}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"C","fields":[{"name":"count","type":["null","long"]},{"name":"items","type":{"type":"array","items":"double"}},{"name":"names","type":{"type":"array","items":"string"}}]}""");
        var data = AvroDatum.ToArray(writer, new GenericRecord((RecordSchema)writer) { ["count"] = 4, ["items"] = new List<object?> { 1, 2 }, ["names"] = new List<object?> { "a" } });

        var value = AvroDatum.Read<Collections>(data, writer, reader);

        Assert.Equal(4L, value.Count);
        Assert.Equal([1.0, 2.0], value.Items);
        Assert.Equal(["a"], value.Names);
    }

    [Fact]
    public void Serialize_TypeWithoutPropertyForFieldWithoutDefault_ThrowsSchemaErrorAsGenericPath()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"P","fields":[{"name":"name","type":"string"},{"name":"missing","type":"int"}]}""");

        var ex = Assert.Throws<AvroSchemaException>(() => new AvroSerializer<NameHolder>(schema).Serialize(new NameHolder("a"), new ArrayBufferWriter<byte>()));

        Assert.Equal("$.fields[1]", ex.JsonPath);
    }

    public sealed record Collections(long? Count, double[] Items, IReadOnlyList<string> Names);

    public sealed record EnumHolder(Level Level);

    public sealed record NameHolder(string? Name);

    private static byte[] Encode(AvroSchema schema, int id, string[] gone, string name, string level, string levelName, object? note, int score)
    {
        var record = (RecordSchema)schema;
        var g = (RecordSchema)((ArraySchema)record.Fields[1].Schema).Items;
        return AvroDatum.ToArray(schema, new GenericRecord(record)
        {
            ["id"] = id,
            ["gone"] = gone.Select(x => (object?)new GenericRecord(g) { ["x"] = x }).ToList(),
            ["fullName"] = name,
            ["level"] = level,
            ["levelName"] = levelName,
            ["note"] = note,
            ["score"] = score,
        });
    }
}
