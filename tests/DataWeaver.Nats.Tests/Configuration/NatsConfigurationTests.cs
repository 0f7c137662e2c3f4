using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Nats.Configuration;
using DataWeaver.Nats.Tests.Support;

namespace DataWeaver.Nats.Tests.Configuration;

/// <summary>NATS in pipeline definition files: docs/nats-relay.yaml runs against a server that requires a token.</summary>
public sealed class NatsConfigurationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dw-nats-config-").FullName;

    [Fact]
    public async Task DocsNatsRelayFile_PublishAndConsumePipelines_BigOrdersWrittenOnceTokenNeverLogged()
    {
        var token = "tok-" + Guid.NewGuid().ToString("N");
        await using var server = await NatsServer.StartAsync(token);
        var environment = new Dictionary<string, string>
        {
            ["NATS_URL"] = server.Url,
            ["NATS_TOKEN"] = token,
            ["ORDERS"] = "2000",
            ["OUTPUT_DIR"] = folder,
        };
        using var logs = new ListLoggerFactory();
        // snippet: nats-configuration
        var registry = ConnectorRegistry.CreateDefault().AddNats();   // the nats framework, source and sink types
        await using var manager = new PipelineManager(new PipelineManagerOptions
        {
            Registry = registry,
            Environment = environment.GetValueOrDefault,
            Factory = new PipelineFactoryOptions { LoggerFactory = logs },
        });
        manager.LoadFile(Path.Combine(RepositoryRoot(), "docs", "nats-relay.yaml"));
        var produced = manager.StartPipeline("publish-orders");
        // end snippet
        await produced.Completion;
        manager.StartPipeline("big-orders");

        var output = Path.Combine(folder, "big-orders.jsonl");
        var expected = Enumerable.Range(0, 2000).Count(n => n % 500 >= 250);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (CountLines(output) < expected)
        {
            await Task.Delay(100, timeout.Token);
        }

        await manager.StopPipelineAsync("big-orders");
        var ids = File.ReadAllLines(output).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(expected, ids.Count);
        Assert.Equal(expected, ids.Distinct().Count());
        Assert.DoesNotContain(logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WrongToken_ErrorNamesServerWithoutTheToken()
    {
        await using var server = await NatsServer.StartAsync("right-" + Guid.NewGuid().ToString("N"));
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        await using var nats = new NatsStreamFramework(server.Options() with { Token = wrong, OperationTimeout = TimeSpan.FromSeconds(3) });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => nats.StartAsync().AsTask());

        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NatsSinkWithoutSubject_NamesTheKey()
    {
        var text = """
            version: 1
            framework: { type: nats }
            pipelines:
              - name: p
                source: { type: stream, settings: { topic: t } }
                sinks: [ { type: nats, settings: { stream: S } } ]
            """;

        var errors = PipelineDefinitionLoader.Validate(text, "nats.yaml", new PipelineLoadOptions { Registry = ConnectorRegistry.CreateDefault().AddNats() });

        var error = Assert.Single(errors);
        Assert.Contains("subject", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static int CountLines(string path) => File.Exists(path) ? File.ReadAllLines(path).Count(l => l.EndsWith('}')) : 0;

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DataWeaver.Engine.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}
