using System.Globalization;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Connectors.Memory;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Docs;

/// <summary>The connector-package example of docs/connectors.md (checked against the page by DocSnippetTests), run here.</summary>
public sealed class ConnectorPackageDocsExamples
{
    [Fact]
    public async Task AddCountdown_FileNamingTheType_RunsTheRegisteredSource()
    {
        using var folder = new TestFolder();

        // snippet: connector-package-use
        var registry = ConnectorRegistry.CreateDefault().AddCountdown();   // one call per package, as AddKafka(), AddCsv()
        await using var manager = new PipelineManager(new PipelineManagerOptions
        {
            Registry = registry,
            Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path },
        });
        manager.CreatePipelines(PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: launch
                source: { type: countdown, settings: { from: 3 } }
                sinks: [{ type: json-lines-file, settings: { path: launch.jsonl } }]
            """, "launch.yaml", new PipelineLoadOptions { Registry = registry }));
        await manager.StartPipeline("launch").Completion;
        // end snippet

        Assert.Equal(["""{"n":3}""", """{"n":2}""", """{"n":1}"""], folder.Lines("launch.jsonl"));
    }

    [Fact]
    public void AddCountdown_FileWithoutTheSetting_DescribesTheOptionsDefault()
    {
        var setting = ConnectorRegistry.CreateDefault().AddCountdown().FindSource("countdown")!.Descriptor!.Settings.Single(s => s.Name == "from");

        Assert.Equal(new CountdownOptions().From.ToString(CultureInfo.InvariantCulture), setting.Default);
    }

    [Fact]
    public void AddCountdown_Twice_RefusesTheSecondRegistration()
    {
        var registry = new ConnectorRegistry().AddCountdown();

        Assert.Throws<ArgumentException>(() => registry.AddCountdown());
    }
}

// snippet: connector-package-registration
/// <summary>The options of the <c>countdown</c> source; every default is stated once, here.</summary>
public sealed record CountdownOptions
{
    /// <summary>Gets the first number.</summary>
    /// <value>The default is 10; at least 1.</value>
    public int From { get; init; } = 10;
}

/// <summary>Adds the <c>countdown</c> source to definition files.</summary>
public static class CountdownConnectorRegistryExtensions
{
    private static readonly CountdownOptions Defaults = new();

    /// <summary>Registers <c>source: { type: countdown, settings: { from: 3 } }</c>.</summary>
    public static ConnectorRegistry AddCountdown(this ConnectorRegistry registry) => registry.RegisterSource(
        "countdown",
        context => CreateSource(new CountdownOptions { From = context.Settings.GetInt32("from", Defaults.From) }, context.Name),
        new ConnectorDescriptor
        {
            Description = "Counts down to 1: one record { n } per number.",
            Settings = [new("from", SettingType.Integer) { Minimum = 1, Default = Defaults.From.ToString(CultureInfo.InvariantCulture) }],
        });

    private static CollectionSource<JsonRecord> CreateSource(CountdownOptions options, string name) =>
        new([.. Enumerable.Range(1, options.From).Reverse().Select(n => JsonRecord.Parse($$"""{"n":{{n}}}"""))], name);
}
// end snippet
