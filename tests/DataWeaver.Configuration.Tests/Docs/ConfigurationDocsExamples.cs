using System.Collections.Concurrent;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Connectors;
using DataWeaver.Lifecycle;
using DataWeaver.Serialization.Json;
using DataWeaver.Streams.InProcess;

namespace DataWeaver.Configuration.Tests.Docs;

/// <summary>The C# examples of docs/configuration/README.md (checked against the page by DocSnippetTests), run here.</summary>
public sealed class ConfigurationDocsExamples
{
    /// <summary>The registrations the page shows, which its YAML examples use.</summary>
    internal static ConnectorRegistry Registry(ConcurrentDictionary<string, string> table)
    {
        // snippet: config-register-transform
        var mask = JsonRecordTransform.CreateBuilder()
            .Set(JsonFieldPath.Parse("email"), record => record.TryGetString("email", out var email) && email.IndexOf('@') is > 0 and var at
                ? JsonFieldValue.FromString(email[0] + "***" + email[at..])
                : null)                                            // null: leave the field as it is
            .Build();

        var registry = ConnectorRegistry.CreateDefault()
            .RegisterTransform("mask-email", record => mask.Apply(record));
        // end snippet

        // snippet: config-register-transform-factory
        registry.RegisterTransformFactory("sample", context =>
        {
            var every = context.Settings.GetInt64("every", 10);
            var seen = 0L;
            return record => (Interlocked.Increment(ref seen) - 1) % every == 0 ? record : null;   // null drops the record
        }, new ConnectorDescriptor { Settings = [new("every", SettingType.Integer) { Minimum = 1, Default = "10" }] });
        // end snippet

        // snippet: config-register-sink
        registry.RegisterSink(
            "key-value",
            context => new KeyValueSink(context.Name, context.Settings.GetRequiredString("keyField"), table),
            new ConnectorDescriptor
            {
                Description = "Keeps the latest record of each key in a table.",
                Settings = [new("keyField", SettingType.String) { Required = true, Description = "The field whose value is the key." }],
            });
        // end snippet

        // snippet: config-register-framework
        registry.RegisterFramework(
            "my-bus",
            context => new InProcessStreamFramework(new InProcessStreamOptions
            {
                Name = context.Settings.GetString("name", "my-bus"),
                PartitionCapacity = context.Settings.GetInt32("partitionCapacity", 1024),
            }),
            new ConnectorDescriptor
            {
                Settings = [new("name", SettingType.String), new("partitionCapacity", SettingType.Integer) { Minimum = 1 }, new("password", SettingType.String) { Secret = true }],
            });
        // end snippet
        return registry;
    }

    [Fact]
    public async Task LoadAndRun_FileWithTwoPipelines_RunsThemAndStopsTheConsumer()
    {
        using var folder = new TestFolder();
        File.Copy(Path.Combine(TestFolder.RepositoryRoot(), "docs", "configuration", "examples", "streams.yaml"), folder.File("pipelines.yaml"));
        using var cwd = CurrentDirectory.Set(folder.Path);

        // snippet: config-load-and-run
        await using var manager = new PipelineManager();
        manager.LoadFile("pipelines.yaml");               // every problem of the file at once, before anything connects
        var produce = manager.StartPipeline("produce");   // returns the run
        var alert = manager.StartPipeline("alert");

        await produce.Completion;                          // a generator with a count ends by itself
        while (alert.Statistics.RecordsRead < 500)         // a stream never ends: wait until the alerts caught up...
        {
            await Task.Delay(10);
        }

        await manager.StopPipelineAsync("alert");          // ...then drain it: what was read is delivered and committed
        Console.WriteLine(manager["alert"].State);         // Stopped
        // end snippet

        Assert.Equal(PipelineState.Stopped, manager["alert"].State);
        Assert.Equal(48, folder.Lines("out/alerts.jsonl").Length);
    }

    [Fact]
    public void Errors_InvalidFile_ListsEveryProblem()
    {
        using var folder = new TestFolder();
        var path = folder.File("pipeline.yaml");
        File.WriteAllText(path, """
            version: 1
            pipelines:
              - name: orders
                source: { type: generatr }
                sinks: [{ type: console, settings: { target: stdlog } }]
            """);
        var output = new StringWriter();

        // snippet: config-errors
        try
        {
            PipelineDefinitionLoader.Load(path);
        }
        catch (PipelineDefinitionException exception)
        {
            foreach (var error in exception.Errors)
            {
                output.WriteLine(error);   // file:line:column: key.path: message
            }
        }
        // end snippet

        Assert.Equal(
            [
                $"{path}:4:21: pipelines[0].source.type: Unknown source 'generatr' (did you mean 'generator'?).",
                $"{path}:5:50: pipelines[0].sinks[0].settings.target: Setting 'target' must be one of stdout, stderr; found 'stdlog'.",
            ],
            output.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task CreateConnectorAndPipeline_InCode_CopiesTheRecords()
    {
        using var folder = new TestFolder();
        using var cwd = CurrentDirectory.Set(folder.Path);

        // snippet: config-manager-api
        await using var manager = new PipelineManager();
        var source = manager.CreateConnector(ConnectorRole.Source, "generator", new Dictionary<string, object?>
        {
            ["count"] = 3,
            ["fields"] = new Dictionary<string, object?> { ["id"] = "order-{n}" },
        });                                                                   // checked against the type's settings
        var sink = manager.CreateConnector(ConnectorRole.Sink, "json-lines-file", new Dictionary<string, object?> { ["path"] = "orders.jsonl" });
        manager.CreatePipeline("copy", source, sink);
        var run = manager.StartPipeline("copy");
        await run.Completion;
        // end snippet

        Assert.Equal(["""{"id":"order-0"}""", """{"id":"order-1"}""", """{"id":"order-2"}"""], folder.Lines("orders.jsonl"));
    }

    [Fact]
    public async Task CustomTransformAndSink_RegisteredFromCode_RunFromAFile()
    {
        ConcurrentDictionary<string, string> table = new();
        var registry = Registry(table);
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: users
                source: { type: memory, settings: { records: [{ id: u1, email: ann@example.com }, { id: u2, email: bob@example.com }, { id: u1, email: ann@new.example.com }] } }
                transforms:
                  - code: { name: mask-email }
                  - code: { name: sample, settings: { every: 1 } }
                sinks: [{ type: key-value, settings: { keyField: id } }]
            """, "users.yaml", new PipelineLoadOptions { Registry = registry });
        await using var factory = new PipelineFactory(registry);

        await factory.Create(file["users"]).RunAsync();

        Assert.Equal(
            [("u1", """{"id":"u1","email":"a***@new.example.com"}"""), ("u2", """{"id":"u2","email":"b***@example.com"}""")],
            table.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void Scrub_MessageWithASecret_ShowsStars()
    {
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            framework: { type: in-process }
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [] } }
                sinks: [{ type: json-lines-file, settings: { path: "${secret:OUT_PATH}" } }]
            """, "p.yaml", new PipelineLoadOptions { Environment = Env.Of(("OUT_PATH", "/vault/token-1234.jsonl")) });
        var exception = new IOException("cannot open /vault/token-1234.jsonl");

        // snippet: config-scrub
        var message = file.Scrub(exception.Message);   // every secret value of the file replaced with ***
        // end snippet

        Assert.Equal("cannot open ***", message);
    }

    /// <summary>The sink of the custom connector example.</summary>
    // snippet: config-custom-sink
    public sealed class KeyValueSink(string name, string keyField, ConcurrentDictionary<string, string> table) : SinkConnector<JsonRecord>(name)
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
        {
            foreach (var record in batch.Span)
            {
                if (record.TryGetString(keyField, out var key))
                {
                    table[key] = record.ToString();   // a copy: the record's bytes are only borrowed until the write completes
                }
            }

            return ValueTask.CompletedTask;
        }
    }
    // end snippet
}
