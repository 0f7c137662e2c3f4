using System.Text.Json;
using DataWeaver.Cli.Tests.Infrastructure;
using DataWeaver.Serialization.Avro.Records;

namespace DataWeaver.Cli.Tests.Convert;

/// <summary>
/// The must-show of issue 7: <c>convert</c> round-trips .avro -> .jsonl -> .avro (with --schema) and .avro -> .avro with
/// identical records, for a schema using every Avro type; records are compared as decoded from the files, and Apache
/// Avro's Python implementation reads the converted files to the same records.
/// </summary>
public sealed class ConvertRoundTripTests : IDisposable
{
    private const int Count = 300;
    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Convert_EveryAvroTypeThroughJsonLinesAndBack_GivesIdenticalRecords()
    {
        var cli = Prepare();

        var toJson = await cli.RunAsync("convert", "everything.avro", "everything.jsonl");
        var back = await cli.RunAsync("convert", "everything.jsonl", "back.avro", "--schema", "everything.avsc");

        Assert.True(toJson.ExitCode == 0, toJson.ToString());
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal(Count, File.ReadAllLines(_folder["everything.jsonl"]).Length);
        var (original, _, _) = EveryAvroType.Read(_folder["everything.avro"]);
        var (converted, codec, schema) = EveryAvroType.Read(_folder["back.avro"]);
        GenericEquality.AssertEqual(original, converted);
        Assert.Equal("null", codec);
        Assert.Equal(EveryAvroType.Schema.CanonicalForm, schema.CanonicalForm);
        Assert.Equal($"wrote back.avro (avro): {Count} records from everything.jsonl (jsonl)", back.OutLines[^1]);
        Assert.False(File.Exists(_folder["back.avro.partial"]));
    }

    [Theory]
    [InlineData("deflate", "deflate")]
    [InlineData("null", "null")]
    [InlineData(null, "deflate")] // the input's codec
    public async Task Convert_EveryAvroTypeAvroToAvro_CopiesIdenticalRecordsWithTheCodec(string? codec, string expectedCodec)
    {
        var cli = Prepare(inputCodec: Serialization.Avro.Container.AvroCodec.Deflate);

        var result = codec is null
            ? await cli.RunAsync("convert", "everything.avro", "copy.avro")
            : await cli.RunAsync("convert", "everything.avro", "copy.avro", "--codec", codec);

        Assert.True(result.ExitCode == 0, result.ToString());
        var (original, _, _) = EveryAvroType.Read(_folder["everything.avro"]);
        var (copied, written, _) = EveryAvroType.Read(_folder["copy.avro"]);
        GenericEquality.AssertEqual(original, copied);
        Assert.Equal(expectedCodec, written);
    }

    [Fact]
    public async Task Convert_EveryAvroType_ApacheAvroPythonReadsTheConvertedFilesAsTheSameRecords()
    {
        Assert.True(PythonAvro.Available, "Apache Avro's Python implementation is not importable from /usr/bin/python3: run `apt-get install -y python3-avro` (eng/test.sh does).");
        var cli = Prepare();
        Assert.Equal(0, (await cli.RunAsync("convert", "everything.avro", "everything.jsonl")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("convert", "everything.jsonl", "back.avro", "--schema", "everything.avsc")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("convert", "everything.avro", "copy.avro", "--codec", "deflate")).ExitCode);
        var (original, _, _) = EveryAvroType.Read(_folder["everything.avro"]);

        foreach (var file in new[] { "back.avro", "copy.avro" })
        {
            var lines = PythonAvro.ReadAsJsonLines(_folder[file]);
            var read = lines.Select(line =>
            {
                using var json = JsonDocument.Parse(line);
                Assert.True(AvroJsonReader.TryRead(EveryAvroType.Schema, json.RootElement, out var value, out var failure), $"{file}: {failure}: {line}");
                return value;
            }).ToList();
            GenericEquality.AssertEqual(original, read);
        }
    }

    [Fact]
    public async Task Convert_AvroToJsonLines_WritesTheDocumentedFormOfEachType()
    {
        var cli = Prepare();

        Assert.Equal(0, (await cli.RunAsync("convert", "everything.avro", "everything.jsonl")).ExitCode);

        using var first = JsonDocument.Parse(File.ReadLines(_folder["everything.jsonl"]).First());
        var r = first.RootElement;
        Assert.Equal(JsonValueKind.Null, r.GetProperty("nothing").ValueKind);
        Assert.True(r.GetProperty("flag").GetBoolean());
        Assert.Equal(int.MinValue, r.GetProperty("small").GetInt32());
        Assert.Equal(long.MinValue, r.GetProperty("big").GetInt64());
        Assert.Equal("NaN", r.GetProperty("ratio").GetString());
        Assert.Equal("NaN", r.GetProperty("precise").GetString());
        Assert.Equal(string.Empty, r.GetProperty("blob").GetString());
        Assert.Equal("SPADES", r.GetProperty("suit").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("choice").ValueKind);
        Assert.Equal(16, System.Convert.FromBase64String(r.GetProperty("hash").GetString()!).Length);
        Assert.Equal("0.0000", r.GetProperty("amount").GetString());
        Assert.Equal("0.0000000000", r.GetProperty("wideAmount").GetString());
        Assert.Equal("00000000-0000-0000-0000-000000000000", r.GetProperty("id").GetString());
        Assert.Equal("0001-01-01", r.GetProperty("day").GetString());
        Assert.Equal("00:00:00.000", r.GetProperty("timeMs").GetString());
        Assert.Equal("00:00:00.000000", r.GetProperty("timeUs").GetString());
        Assert.Equal("0001-01-01T00:00:00.000Z", r.GetProperty("atMs").GetString());
        Assert.Equal("0001-01-01T00:00:00.000000Z", r.GetProperty("atUs").GetString());
        Assert.Equal("0001-01-01T00:00:00.000", r.GetProperty("localMs").GetString());
        Assert.Equal("0001-01-01T00:00:00.000000", r.GetProperty("localUs").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("maybeDay").ValueKind);
        Assert.Equal(JsonValueKind.String, r.GetProperty("maybeHash").ValueKind);
        Assert.Equal(JsonValueKind.Object, r.GetProperty("attributes").ValueKind);
        Assert.Equal(JsonValueKind.Array, r.GetProperty("items").ValueKind);
    }

    public void Dispose() => _folder.Dispose();

    private InProcessCli Prepare(Serialization.Avro.Container.AvroCodec inputCodec = Serialization.Avro.Container.AvroCodec.Null)
    {
        EveryAvroType.Write(_folder["everything.avro"], EveryAvroType.Records(Count), inputCodec);
        _folder.Write("everything.avsc", EveryAvroType.SchemaJson);
        return _folder.Cli();
    }
}
