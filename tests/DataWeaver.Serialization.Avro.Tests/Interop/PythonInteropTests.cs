using System.Text.Json.Nodes;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Tests.Interop;

/// <summary>Interop with Apache Avro's Python implementation; the cases cover every type and logical type and a recursive record.</summary>
public sealed class PythonInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("avro-interop").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("all", "null")]
    [InlineData("all", "deflate")]
    [InlineData("tree", "null")]
    [InlineData("tree", "deflate")]
    public void Read_FileWrittenByPython_ValuesIdentical(string testCase, string codec)
    {
        var path = Path.Combine(_dir, "py.avro");
        PythonAvro.Run("write", testCase, codec, path);
        var expected = PythonAvro.RunJson("data", testCase);

        using var reader = AvroContainerReader.Open(File.OpenRead(path));
        var actual = new JsonArray(reader.ReadAll().Select(v => Normalizer.Normalize(reader.WriterSchema, v)).ToArray());

        Assert.Equal(codec, reader.Codec);
        Normalizer.AssertJsonEqual(expected, actual);
    }

    [Theory]
    [InlineData("all", AvroCodec.Null)]
    [InlineData("all", AvroCodec.Deflate)]
    [InlineData("tree", AvroCodec.Null)]
    [InlineData("tree", AvroCodec.Deflate)]
    public void Write_FileReadByPython_ValuesIdentical(string testCase, AvroCodec codec)
    {
        var (schema, values) = LoadCase(testCase);
        var path = Path.Combine(_dir, "dw.avro");
        using (var writer = new AvroContainerWriter(File.Create(path), schema, new AvroContainerWriterOptions { Codec = codec, BlockSize = 64 }))
        {
            foreach (var v in values)
            {
                writer.Append(v);
            }
        }

        var actual = PythonAvro.RunJson("read", path);

        Normalizer.AssertJsonEqual(PythonAvro.RunJson("data", testCase), actual);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("tree")]
    public void Datum_EncodedByBothSides_BytesIdentical(string testCase)
    {
        var (schema, values) = LoadCase(testCase);
        var pythonHex = PythonAvro.RunJson("encode", testCase).AsArray().Select(n => (string)n!).ToArray();

        var ours = values.Select(v => Convert.ToHexString(AvroDatum.ToArray(schema, v)).ToLowerInvariant()).ToArray();
        Assert.Equal(pythonHex, ours);

        var decodedByPython = PythonAvro.RunJson(["decode", testCase, .. ours]);
        var decodedByUs = new JsonArray(pythonHex.Select(h => Normalizer.Normalize(schema, AvroDatum.Read(Convert.FromHexString(h), schema))).ToArray());
        Normalizer.AssertJsonEqual(PythonAvro.RunJson("data", testCase), decodedByPython);
        Normalizer.AssertJsonEqual(decodedByPython, decodedByUs);
    }

    [Fact]
    public void Read_AllTypesFromPython_ExactDotNetValues()
    {
        var (_, values) = LoadCase("all");
        var first = (GenericRecord)values[0]!;

        Assert.Equal(-42, first["i"]);
        Assert.Equal(1234567890123L, first["l"]);
        Assert.Equal(1.5f, first["f"]);
        Assert.Equal("héllo wörld ✓", first["s"]);
        Assert.Equal("GREEN", ((GenericEnum)first["e"]!).Symbol);
        Assert.Equal(12345678.90m, first["dec"]);
        Assert.Equal(-98765.4321m, first["decf"]);
        Assert.Equal(Guid.Parse("6a2f41a3-c54c-fce8-32d2-0324e1c32e22"), first["uid"]);
        Assert.Equal(new DateOnly(2024, 2, 29), first["date"]);
        Assert.Equal(new TimeOnly(13, 45, 30, 123), first["tmil"]);
        Assert.Equal(new DateTime(2023, 5, 17, 8, 30, 15, 250, DateTimeKind.Utc), first["tsm"]);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)first["tsm"]!).Kind);
        Assert.Equal(new byte[] { 0, 1, 0xfe, 0xff }, first["by"]);
        Assert.Equal(new object?[] { 1, -2, 300000 }, (List<object?>)first["arr"]!);
    }

    private (AvroSchema Schema, List<object?> Values) LoadCase(string testCase)
    {
        var path = Path.Combine(_dir, testCase + "-source.avro");
        PythonAvro.Run("write", testCase, "null", path);
        using var reader = AvroContainerReader.Open(File.OpenRead(path));
        return (reader.WriterSchema, reader.ReadAll().ToList());
    }
}
