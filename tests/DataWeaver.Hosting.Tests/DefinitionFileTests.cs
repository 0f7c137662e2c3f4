using DataWeaver.Configuration;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Lifecycle;
using Microsoft.Extensions.Configuration;

namespace DataWeaver.Hosting.Tests;

public sealed class DefinitionFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dataweaver-hosting-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AddPipelinesFromFile_YamlWithTwoPipelines_HostsBothUnderTheirNamesAndRunsThem()
    {
        var file = Path.Combine(_folder, "pipelines.yaml");
        await File.WriteAllTextAsync(file, $"""
            version: 1
            pipelines:
              - name: numbers
                source:
                  type: generator
                  settings:
                    count: ${"{"}COUNT{"}"}
                    fields:
                      id: {"{"} number: {"{"}{"}"} {"}"}
                transforms:
                  - filter: {"{"} field: id, op: "<", value: 300 {"}"}
                sinks:
                  - type: json-lines-file
                    settings: {"{"} path: numbers.jsonl {"}"}
              - name: letters
                source:
                  type: memory
                  settings:
                    records: [{"{"} letter: a {"}"}, {"{"} letter: b {"}"}]
                sinks:
                  - type: json-lines-file
                    settings: {"{"} path: letters.jsonl {"}"}
            """);
        var options = new PipelineLoadOptions { BaseDirectory = _folder, Environment = name => name == "COUNT" ? "1000" : null };
        using var host = TestHost.Build(b => b.AddPipelinesFromFile(file, options));

        await host.RunToEndAsync();

        Assert.Equal(["numbers", "letters"], host.Pipelines().Names);
        Assert.All(host.Pipelines().GetStatus(), s => Assert.Equal(PipelineState.Completed, s.State));
        Assert.Equal(300, (await File.ReadAllLinesAsync(Path.Combine(_folder, "numbers.jsonl"))).Length);
        Assert.Equal(["{\"letter\":\"a\"}", "{\"letter\":\"b\"}"], await File.ReadAllLinesAsync(Path.Combine(_folder, "letters.jsonl")));
    }

    [Fact]
    public async Task AddPipelinesFromFile_InvalidFile_ThrowsWhileTheHostIsBuiltListingEveryError()
    {
        var file = Path.Combine(_folder, "broken.yaml");
        await File.WriteAllTextAsync(file, """
            version: 1
            pipelines:
              - name: broken
                source: { type: no-such-source }
                sinks:
                  - type: json-lines-file
                    settings: { paht: out.jsonl }
            """);

        var error = Assert.Throws<PipelineDefinitionException>(() => TestHost.Build(b => b.AddPipelinesFromFile(file)));

        Assert.True(error.Errors.Count >= 2, string.Join(Environment.NewLine, error.Errors));
        Assert.Contains(error.Errors, e => e.ToString().Contains("no-such-source", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.ToString().Contains("paht", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddPipelinesFromConfiguration_SectionShapedLikeAFile_HostsItsPipelines()
    {
        var output = Path.Combine(_folder, "from-config.jsonl");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataWeaver:Definitions:version"] = "1",
            ["DataWeaver:Definitions:pipelines:0:name"] = "configured",
            ["DataWeaver:Definitions:pipelines:0:source:type"] = "generator",
            ["DataWeaver:Definitions:pipelines:0:source:settings:count"] = "25",
            ["DataWeaver:Definitions:pipelines:0:source:settings:fields:id:number:add"] = "100",
            ["DataWeaver:Definitions:pipelines:0:batch:size"] = "10",
            ["DataWeaver:Definitions:pipelines:0:sinks:0:type"] = "json-lines-file",
            ["DataWeaver:Definitions:pipelines:0:sinks:0:settings:path"] = output,
        }).Build();
        using var host = TestHost.Build(b => b.AddPipelinesFromConfiguration(configuration.GetSection("DataWeaver:Definitions")));

        await host.RunToEndAsync();

        Assert.Equal(PipelineState.Completed, host.Pipelines().GetStatus("configured").State);
        Assert.Equal(25, (await File.ReadAllLinesAsync(output)).Length);
    }
}
