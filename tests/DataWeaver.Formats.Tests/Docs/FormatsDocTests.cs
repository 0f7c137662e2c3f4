using System.Text;
using System.Text.RegularExpressions;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Formats.Tests.Support;
using DataWeaver.Serialization.Avro.Container;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using static DataWeaver.Formats.Tests.Files.FileConnectorTests;

namespace DataWeaver.Formats.Tests.Docs;

/// <summary>Runs every <c>formats-example</c> of docs/formats.md in a folder holding docs/formats/.</summary>
public sealed partial class FormatsDocTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Docs_EveryExample_IsTested()
    {
        Assert.Equal(["json", "text", "csv", "avro", "protobuf", "incremental", "stdio"], Examples().Keys);
    }

    [Fact]
    public async Task Docs_Json_CompressesTheOrders()
    {
        using var run = Prepare();
        await run.RunAsync(Examples()["json"]);
        Assert.Equal(run.Read("orders.jsonl"), Gunzip(File.ReadAllBytes(run.PathOf("out/orders.jsonl.gz"))));
    }

    [Fact]
    public async Task Docs_Text_KeepsTheNotFoundLines()
    {
        using var run = Prepare();
        await run.RunAsync(Examples()["text"]);
        Assert.Equal("GET /missing 404\n", run.Read("out/not-found.log"));
    }

    [Fact]
    public async Task Docs_Csv_TypesTheColumns()
    {
        using var run = Prepare();
        await run.RunAsync(Examples()["csv"]);
        Assert.Equal("{\"id\":1,\"customer\":\"ada\",\"amount\":12.5,\"paid\":true}\n{\"id\":2,\"customer\":\"bob, jr.\",\"amount\":null,\"paid\":false}\n", run.Read("out/orders-from-csv.jsonl"));
    }

    [Fact]
    public async Task Docs_Avro_WritesADeflateContainerFile()
    {
        using var run = Prepare();
        await run.RunAsync(Examples()["avro"]);
        using var reader = AvroContainerReader.Open(File.OpenRead(run.PathOf("out/orders.avro")));
        Assert.Equal("deflate", reader.Codec);
        Assert.Equal(2, reader.ReadAll().Count());
    }

    [Fact]
    public async Task Docs_Protobuf_ReadsEveryFileOfThePattern()
    {
        using var run = Prepare();
        await run.RunAsync(Examples()["protobuf"]);
        Assert.Equal("{\"name\":\"id\",\"number\":1,\"type\":\"TYPE_INT64\"}\n{\"name\":\"customer\",\"number\":2,\"type\":\"TYPE_STRING\"}\n", run.Read("out/events.jsonl"));
    }

    [Fact]
    public async Task Docs_Incremental_ReadsOnlyWhatIsNewOnTheSecondRun()
    {
        using var run = Prepare();
        await run.RunAsync(Examples()["incremental"]);
        File.AppendAllText(run.PathOf("logs/a.log"), "third\n");
        run.Write("logs/c.log", "fourth\n");
        await run.RunAsync(Examples()["incremental"]);
        Assert.Equal("{\"line\":\"first\"}\n{\"line\":\"second\"}\n{\"line\":\"third\"}\n{\"line\":\"fourth\"}\n", Gunzip(File.ReadAllBytes(run.PathOf("out/lines.jsonl.gz"))));
        Assert.Equal(string.Empty, run.Read("out/dead-letters.jsonl"));
    }

    [Fact]
    public async Task Docs_Stdio_FiltersStandardInputToCsvOnStandardOutput()
    {
        using var run = Prepare();
        var output = await run.RunWithStandardStreamsAsync(Examples()["stdio"], File.ReadAllBytes(run.PathOf("orders.jsonl")));
        Assert.Equal("id,customer,amount,when\n1,ada,12.5,2026-01-02T03:04:05.006Z\n", Encoding.UTF8.GetString(output));
    }

    private static DefinitionRun Prepare()
    {
        var run = new DefinitionRun(r => r.AddCsv().AddAvro().AddProtobuf());
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "docs", "formats")))
        {
            File.Copy(file, run.PathOf(Path.GetFileName(file)));
        }

        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(DescriptorReflection.Descriptor.SerializedData));
        run.Write("descriptor.pb", set.ToByteArray());
        Directory.CreateDirectory(run.PathOf("events"));
        using (var events = File.Create(run.PathOf("events/1.pb")))
        {
            new FieldDescriptorProto { Name = "id", Number = 1, Type = FieldDescriptorProto.Types.Type.Int64 }.WriteDelimitedTo(events);
        }

        using (var events = File.Create(run.PathOf("events/2.pb")))
        {
            new FieldDescriptorProto { Name = "customer", Number = 2, Type = FieldDescriptorProto.Types.Type.String }.WriteDelimitedTo(events);
        }

        Directory.CreateDirectory(run.PathOf("logs"));
        run.Write("logs/a.log", "first\n");
        run.Write("logs/b.log.gz", Gzip("second\n"));
        return run;
    }

    private static Dictionary<string, string> Examples()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", "formats.md"));
        return ExampleBlock().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["yaml"].Value);
    }

    private static string FindRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "DataWeaver.Engine.sln")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("The repository root was not found.");
        }

        return folder;
    }

    [GeneratedRegex(@"<!-- formats-example: (?<name>[a-z]+) -->\n```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();
}
