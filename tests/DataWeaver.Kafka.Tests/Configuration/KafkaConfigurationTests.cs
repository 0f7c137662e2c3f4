using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Kafka.Tests.Support;

namespace DataWeaver.Kafka.Tests.Configuration;

/// <summary>Kafka in pipeline definition files: docs/kafka-relay.yaml runs against the cluster.</summary>
public sealed class KafkaConfigurationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dw-kafka-config-").FullName;

    [Fact]
    public async Task DocsKafkaRelayFile_ProducerAndConsumerPipelines_BigOrdersWrittenExactlyOnce()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        await cluster.CreateTopicAsync("orders", partitions: 3);
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP"] = cluster.BootstrapServers,
            ["ORDERS"] = "2000",
            ["OUTPUT_DIR"] = folder,
        };
        // snippet: kafka-configuration
        var registry = ConnectorRegistry.CreateDefault().AddKafka();   // the kafka framework type
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = registry, Environment = environment.GetValueOrDefault });
        manager.LoadFile(Path.Combine(RepositoryRoot(), "docs", "kafka-relay.yaml"));
        manager.StartPipeline("big-orders");
        var produced = manager.StartPipeline("produce-orders");
        // end snippet
        await produced.Completion;

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
        Assert.All(ids, id => Assert.True(id % 500 >= 250));
    }

    [Theory]
    [InlineData("{ bootstrapServer: localhost:9092 }", "framework.settings.bootstrapServers", "needs the setting 'bootstrapServers'")]
    [InlineData("{ bootstrapServers: localhost:9092, clientid: x }", "framework.settings.clientid", "neither a setting of the kafka framework")]
    [InlineData("{ bootstrapServers: localhost:9092, groupProtocol: cooperative }", "framework.settings.groupProtocol", "cooperative-sticky")]
    public void Validate_KafkaFrameworkSettingsWrong_NamesTheKey(string settings, string path, string message)
    {
        var registry = ConnectorRegistry.CreateDefault().AddKafka();
        var text = $$"""
            version: 1
            framework: { type: kafka, settings: {{settings}} }
            pipelines:
              - name: p
                source: { type: stream, settings: { topic: t } }
                sinks: [ { type: discard } ]
            """;

        var errors = PipelineDefinitionLoader.Validate(text, "kafka.yaml", new PipelineLoadOptions { Registry = registry });

        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static int CountLines(string path) => File.Exists(path) ? File.ReadAllLines(path).Count(l => l.EndsWith('}')) : 0;

    /// <summary>The repository's root folder (above the test binaries).</summary>
    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DataWeaver.Engine.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}
