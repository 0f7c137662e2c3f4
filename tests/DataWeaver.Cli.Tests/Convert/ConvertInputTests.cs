using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Convert;

public sealed class ConvertInputTests : IDisposable
{
    private const string Schema = """{"type": "record", "name": "R", "fields": [{"name": "id", "type": "long"}, {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}}]}""";

    private readonly TestFolder _folder = new();

    public ConvertInputTests()
    {
        _folder.Write("in.jsonl", "{\"id\":1,\"at\":\"2024-01-02T03:04:05.123456Z\"}\n{\"id\":2,\"at\":\"2024-01-02T05:04:05.5+02:00\"}\n");
        _folder.Write("r.avsc", Schema);
    }

    [Theory]
    [InlineData(new[] { "in.jsonl", "out.avro" }, "convert: jsonl -> avro needs the Avro schema of the records: pass --schema FILE (an .avsc file).")]
    [InlineData(new[] { "in.jsonl", "out.txt" }, "convert: cannot tell the format of 'out.txt' from its extension (.jsonl, .ndjson, .avro, .csv): pass --to jsonl|avro|csv.")]
    [InlineData(new[] { "missing.jsonl", "out.avro" }, "convert: missing.jsonl: no such file.")]
    [InlineData(new[] { "in.jsonl", "in.jsonl" }, "convert: IN and OUT are the same file; write to another one.")]
    [InlineData(new[] { "in.jsonl", "out.jsonl", "--codec", "deflate" }, "convert: --codec applies to an Avro output only.")]
    [InlineData(new[] { "in.jsonl", "out.avro", "--schema", "nope.avsc" }, "convert: nope.avsc: Could not find file")]
    public async Task Convert_InvalidArguments_Exit2WithAClearMessageBeforeAnythingRuns(string[] args, string message)
    {
        var result = await _folder.Cli().RunAsync(["convert", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(message, result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
        Assert.False(File.Exists(_folder["out.avro"]));
    }

    [Fact]
    public async Task Convert_InvalidSchema_Exit2NamingTheSchemaProblem()
    {
        _folder.Write("bad.avsc", """{"type": "record", "name": "R", "fields": [{"name": "id", "type": "integer"}]}""");

        var result = await _folder.Cli().RunAsync("convert", "in.jsonl", "out.avro", "--schema", "bad.avsc");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("convert: bad.avsc: Invalid Avro schema at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_FormatFlags_WinOverExtensions()
    {
        File.Copy(_folder["in.jsonl"], _folder["in.data"]);

        var result = await _folder.Cli().RunAsync("convert", "in.data", "out.bin", "--from", "jsonl", "--to", "avro", "--schema", "r.avsc");
        var back = await _folder.Cli().RunAsync("convert", "out.bin", "back.ndjson", "--from", "avro");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal(["{\"id\":1,\"at\":\"2024-01-02T03:04:05.123456Z\"}", "{\"id\":2,\"at\":\"2024-01-02T03:04:05.500000Z\"}"], File.ReadAllLines(_folder["back.ndjson"]));
    }

    [Theory]
    [InlineData("{\"id\":\"1\",\"at\":\"2024-01-02T03:04:05Z\"}", "line at byte 0: $.id: expected long, found the string \"1\"")]
    [InlineData("{\"id\":1,\"at\":\"2024-01-02T03:04:05\"}", "line at byte 0: $.at: expected a date and time with Z or an offset (yyyy-MM-ddTHH:mm:ss.ffffffZ), found \"2024-01-02T03:04:05\"")]
    [InlineData("{\"id\":1}", "line at byte 0: $: record 'R' needs the field 'at', which has no default")]
    [InlineData("{\"id\":1,\"at\":\"2024-01-02T03:04:05Z\",\"extra\":true}", "line at byte 0: $: record 'R' has no field 'extra' (its fields: id, at)")]
    [InlineData("{\"id\":1,", "line at byte 0: not JSON: ")]
    public async Task Convert_JsonLineThatDoesNotFitTheSchema_Exit3NamingOffsetAndPath(string line, string message)
    {
        _folder.Write("bad.jsonl", line + "\n");

        var result = await _folder.Cli().RunAsync("convert", "bad.jsonl", "out.avro", "--schema", "r.avsc");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("error: pipeline 'convert' failed: data error in stage 'decode:json': DataWeaverException: " + message, result.ErrorLines.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.False(File.Exists(_folder["out.avro"]));
    }

    [Fact]
    public async Task Convert_AvroWithSchema_ReadsTheRecordsAsThatSchema()
    {
        var cli = _folder.Cli();
        Assert.Equal(0, (await cli.RunAsync("convert", "in.jsonl", "v1.avro", "--schema", "r.avsc")).ExitCode);
        _folder.Write("v2.avsc", """{"type": "record", "name": "R", "fields": [{"name": "id", "type": "double"}, {"name": "source", "type": "string", "default": "legacy"}]}""");

        var result = await cli.RunAsync("convert", "v1.avro", "v2.jsonl", "--schema", "v2.avsc");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["{\"id\":1,\"source\":\"legacy\"}", "{\"id\":2,\"source\":\"legacy\"}"], File.ReadAllLines(_folder["v2.jsonl"])); // long promoted to double, a field added with its default, one dropped
    }

    public void Dispose() => _folder.Dispose();
}
