using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Kafka.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Configuration;

/// <summary>
/// Kafka in definition files (docs/kafka-definition-files.md): message metadata read by transforms, key and headers set by
/// sinks, the exactly-once switch, librdkafka settings and logs.
/// </summary>
public sealed class KafkaDefinitionFileTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset BaseTime = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string folder = Directory.CreateTempSubdirectory("dw-kafka-defs-").FullName;

    [Fact]
    public async Task Metadata_KafkaSourceWithMetadata_FilterAndSetReadKeyHeadersTimestampTopicPartitionOffset()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("meta");
        await cluster.CreateTopicAsync(topic, partitions: 3);
        var delivered = await ProduceAsync(cluster, topic, 30);
        var outputFile = Path.Combine(folder, "meta.jsonl");
        var text = $$"""
            version: 1
            framework: { type: kafka, settings: { bootstrapServers: "{{cluster.BootstrapServers}}" } }
            pipelines:
              - name: meta
                source: { type: kafka, metadata: true, settings: { topic: {{topic}}, group: {{KafkaTestCluster.UniqueGroup("meta")}} } }
                transforms:
                  - filter: { field: $meta.headers.keep, value: "yes" }
                  - set: { field: key, from: $meta.key }
                  - set: { field: trace, from: $meta.headers.traceparent }
                  - set: { field: at, from: $meta.timestamp }
                  - set: { field: where, template: "{$meta.topic}/{$meta.partition}/{$meta.offset}" }
                sinks:
                  - { type: json-lines-file, settings: { path: "{{outputFile}}", append: true } }
            """;
        await using var manager = Manager();
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(text, "meta.yaml", new PipelineLoadOptions { Registry = manager.Registry }));
        manager.StartPipeline("meta");
        var lines = await WaitForLinesAsync(outputFile, 10);
        await manager.StopPipelineAsync("meta");

        lines = File.ReadAllLines(outputFile);
        Assert.Equal(10, lines.Length);
        foreach (var line in lines)
        {
            Assert.DoesNotContain("$meta", line, StringComparison.Ordinal); // the metadata never reaches a sink by itself
            var record = JsonDocument.Parse(line).RootElement;
            var n = record.GetProperty("n").GetInt32();
            Assert.Equal(0, n % 3);
            Assert.Equal($"k{n}", record.GetProperty("key").GetString());
            Assert.Equal($"t{n}", record.GetProperty("trace").GetString());
            Assert.Equal(BaseTime.AddSeconds(n).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), record.GetProperty("at").GetString());
            Assert.Equal($"{topic}/{delivered[n].Partition.Value}/{delivered[n].Offset.Value}", record.GetProperty("where").GetString());
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 3), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("n").GetInt32()).Order());
    }

    [Fact]
    public async Task ExactlyOnceRelay_KeyAndHeadersFromMetadataAndTemplates_PlainConsumerReadsThem()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var input = KafkaTestCluster.UniqueTopic("relay-in");
        var outputTopic = KafkaTestCluster.UniqueTopic("relay-out");
        await cluster.CreateTopicAsync(input, partitions: 2);
        await cluster.CreateTopicAsync(outputTopic, partitions: 2);
        var delivered = await ProduceAsync(cluster, input, 20);
        var text = $$"""
            version: 1
            framework: { type: kafka, settings: { bootstrapServers: "{{cluster.BootstrapServers}}" } }
            pipelines:
              - name: relay
                commitInterval: 100ms
                source:
                  type: kafka
                  metadata: true
                  settings: { topic: {{input}}, group: {{KafkaTestCluster.UniqueGroup("relay")}}, exactlyOnce: true, transactionalId: relay-test-1 }
                transforms:
                  - set: { field: relayed, value: true }
                sinks:
                  - type: kafka
                    key: "{$meta.key}"
                    headers:
                      traceparent: "{$meta.headers.traceparent}"
                      origin: "{$meta.topic}-{$meta.partition}-{$meta.offset}"
                      absent: "{no.such.field}"
                    settings: { topic: {{outputTopic}}, exactlyOnce: true }
            """;
        await using var manager = Manager();
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(text, "relay.yaml", new PipelineLoadOptions { Registry = manager.Registry }));
        manager.StartPipeline("relay");

        var read = ReadAll(cluster, outputTopic, 20);
        await manager.StopPipelineAsync("relay");

        Assert.Equal(20, read.Count);
        Assert.Equal(20, read.Select(m => m.Key).Distinct().Count());
        foreach (var message in read)
        {
            var value = Encoding.UTF8.GetString(message.Value);
            var n = JsonDocument.Parse(value).RootElement.GetProperty("n").GetInt32();
            Assert.Equal($$"""{"n":{{n}},"relayed":true}""", value); // the value without $meta
            Assert.Equal($"k{n}", Encoding.UTF8.GetString(message.Key));
            Assert.Equal($"t{n}", Encoding.UTF8.GetString(message.Headers.GetLastBytes("traceparent")));
            Assert.Equal($"{input}-{delivered[n].Partition.Value}-{delivered[n].Offset.Value}", Encoding.UTF8.GetString(message.Headers.GetLastBytes("origin")));
            Assert.False(message.Headers.TryGetLastBytes("absent", out _)); // a lone placeholder of a missing field leaves the header out
            Assert.Equal(2, message.Headers.Count);
        }

        var transactions = KafkaDefinitionConnectors.FindTransactions("relay");
        Assert.NotNull(transactions);
        Assert.Equal("relay-test-1", transactions.TransactionalId);
        Assert.True(transactions.Committed >= 1, $"{transactions.Committed} transactions committed");
        Assert.Equal(0, transactions.Aborted);
    }

    [MockKafkaFact] // the example's topic names are fixed: a fresh mock cluster has them to itself
    public async Task DocsExample_RelayOnMockCluster_KeysHeadersAndFieldsAsDocumented()
    {
        var markdown = await File.ReadAllTextAsync(Path.Combine(KafkaConfigurationTests.RepositoryRoot(), "docs", "kafka-definition-files.md"));
        var start = markdown.IndexOf("```yaml\n", markdown.IndexOf("<!-- kafka-example: relay -->", StringComparison.Ordinal), StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = markdown[start..markdown.IndexOf("```", start, StringComparison.Ordinal)];
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        await cluster.CreateTopicAsync("orders", partitions: 2);
        await cluster.CreateTopicAsync("orders-enriched", partitions: 2);
        var delivered = await ProduceAsync(cluster, "orders", 20, test: n => n % 5 == 4);
        var environment = new Dictionary<string, string> { ["KAFKA_BOOTSTRAP"] = cluster.BootstrapServers, ["KAFKA_PASSWORD"] = "pw-canary-4711", ["HOSTNAME"] = "docs" };
        var logs = new ListLoggerFactory();
        await using var manager = Manager(logs);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(yaml, "relay.yaml", new PipelineLoadOptions { Registry = manager.Registry, Environment = environment.GetValueOrDefault }));
        manager.StartPipeline("relay");

        var read = ReadAll(cluster, "orders-enriched", 16);
        await manager.StopPipelineAsync("relay");

        Assert.Equal(16, read.Count); // the 4 test messages are filtered out, nothing is written twice
        foreach (var message in read)
        {
            var record = JsonDocument.Parse(message.Value).RootElement;
            var n = record.GetProperty("n").GetInt32();
            Assert.NotEqual(4, n % 5);
            Assert.Equal(["n", "receivedAt", "region"], record.EnumerateObject().Select(p => p.Name));
            Assert.Equal(BaseTime.AddSeconds(n).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), record.GetProperty("receivedAt").GetString());
            Assert.Equal($"eu-{delivered[n].Partition.Value}", record.GetProperty("region").GetString());
            Assert.Equal($"k{n}", Encoding.UTF8.GetString(message.Key));
            Assert.Equal($"t{n}", Encoding.UTF8.GetString(message.Headers.GetLastBytes("traceparent")));
            Assert.Equal($"orders/{delivered[n].Partition.Value}/{delivered[n].Offset.Value}", Encoding.UTF8.GetString(message.Headers.GetLastBytes("origin")));
        }

        Assert.Equal("orders-relay-docs", KafkaDefinitionConnectors.FindTransactions("relay")!.TransactionalId);
        Assert.DoesNotContain(logs.Lines, line => line.Contains("pw-canary-4711", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecretInLibrdkafkaSetting_ClientRefusesTheValue_ErrorScrubbed()
    {
        const string Secret = "s3cr3t-codec-value";
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("secret");
        await cluster.CreateTopicAsync(topic, partitions: 1);
        var text = $$"""
            version: 1
            framework:
              type: kafka
              settings:
                bootstrapServers: "{{cluster.BootstrapServers}}"
                debug: conf,generic
                librdkafka: { compression.type: "${secret:CODEC}" }
            pipelines:
              - name: secret
                source: { type: generator, settings: { count: 10, fields: { n: "{n}" } } }
                sinks: [ { type: kafka, settings: { topic: {{topic}} } } ]
            """;
        var logs = new ListLoggerFactory();
        await using var manager = Manager(logs);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(text, "secret.yaml", new PipelineLoadOptions { Registry = manager.Registry, Environment = _ => Secret }));

        var run = manager.StartPipeline("secret");
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => run.Completion);

        var messages = failure.ToString(); // with every inner exception
        output.WriteLine(messages);
        Assert.Contains("compression", messages, StringComparison.Ordinal); // librdkafka names the setting and quotes the value
        Assert.Contains(KafkaSecrets.Mask, messages, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, messages, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DebugSetting_RunInItsOwnProcess_LibrdkafkaLinesGoToTheLoggerNothingToStandardError()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("debug");
        await cluster.CreateTopicAsync(topic, partitions: 1);
        var file = Path.Combine(folder, "debug.yaml");
        await File.WriteAllTextAsync(file, $$"""
            version: 1
            framework: { type: kafka, settings: { bootstrapServers: "{{cluster.BootstrapServers}}", debug: broker } }
            pipelines:
              - name: debug
                source: { type: generator, settings: { count: 100, fields: { n: "{n}" } } }
                sinks: [ { type: kafka, settings: { topic: {{topic}} } } ]
            """);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "DataWeaver.Kafka.Harness.dll"), "definition-file", file })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var printed = await standardOutput;
        var errors = await standardError;
        output.WriteLine(printed.Length > 4000 ? printed[..4000] : printed);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(string.Empty, errors);
        Assert.Contains("done", printed, StringComparison.Ordinal);
        var debugLines = printed.Split('\n').Where(l => l.StartsWith($"log Debug {KafkaLog.Category}: ", StringComparison.Ordinal)).ToList();
        Assert.True(debugLines.Count >= 5, $"{debugLines.Count} librdkafka debug lines reached the logger");
        Assert.Contains(debugLines, l => l.Contains("broker", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("framework", "librdkafka: { enable.auto.commit: true }", "framework.settings.librdkafka['enable.auto.commit']", "commits only offsets")]
    [InlineData("framework", "group.id: mine", "framework.settings['group.id']", "group setting")]
    [InlineData("framework", "consumer: { auto.offset.reset: latest }", "framework.settings.consumer['auto.offset.reset']", "startFrom")]
    [InlineData("framework", "librdkafka: { transactional.id: t }", "framework.settings.librdkafka['transactional.id']", "transactionalId")]
    [InlineData("framework", "enable.idempotence: false", "framework.settings['enable.idempotence']", "neither duplicate nor reorder")]
    [InlineData("source", "settings: { topic: t, exactlyOnce: true }", "pipelines[0].source.settings.exactlyOnce", "needs 'transactionalId'")]
    public void Validate_KafkaSettingsDataWeaverOwns_RefusedNamingTheKey(string where, string yaml, string path, string message)
    {
        var framework = where == "framework" ? ", " + yaml : string.Empty;
        var source = where == "source" ? yaml : "settings: { topic: t }";
        var text = $$"""
            version: 1
            framework: { type: kafka, settings: { bootstrapServers: "localhost:9092"{{framework}} } }
            pipelines:
              - name: p
                source: { type: kafka, {{source}} }
                sinks: [ { type: discard } ]
            """;

        var errors = PipelineDefinitionLoader.Validate(text, "kafka.yaml", new PipelineLoadOptions { Registry = ConnectorRegistry.CreateDefault().AddKafka() });

        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("source: { type: memory, metadata: true, settings: { records: [ { a: 1 } ] } }", "sinks: [ { type: discard } ]", "pipelines[0].source.metadata", "reads records, not messages")]
    [InlineData("source: { type: kafka, settings: { topic: t } }", "sinks: [ { type: discard, headers: { h: \"{a}\" } } ]", "pipelines[0].sinks[0].headers", "writes records, not messages")]
    [InlineData("source: { type: kafka, settings: { topic: t } }", "sinks: [ { type: kafka, headers: { h: \"{a\" }, settings: { topic: o } } ]", "pipelines[0].sinks[0].headers.h", "no closing")]
    [InlineData("source: { type: kafka, settings: { topic: t } }", "sinks: [ { type: kafka, key: \"x-{a..b}\", settings: { topic: o } } ]", "pipelines[0].sinks[0].key", "is not a field name")]
    public void Validate_MetadataOrHeadersWrong_NamesTheKey(string source, string sinks, string path, string message)
    {
        var text = $$"""
            version: 1
            framework: { type: kafka, settings: { bootstrapServers: "localhost:9092" } }
            pipelines:
              - name: p
                {{source}}
                {{sinks}}
            """;

        var errors = PipelineDefinitionLoader.Validate(text, "kafka.yaml", new PipelineLoadOptions { Registry = ConnectorRegistry.CreateDefault().AddKafka() });

        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KafkaLogLevel.Emergency, LogLevel.Critical)]
    [InlineData(KafkaLogLevel.Critical, LogLevel.Critical)]
    [InlineData(KafkaLogLevel.Error, LogLevel.Error)]
    [InlineData(KafkaLogLevel.Warning, LogLevel.Warning)]
    [InlineData(KafkaLogLevel.Notice, LogLevel.Information)]
    [InlineData(KafkaLogLevel.Info, LogLevel.Information)]
    [InlineData(KafkaLogLevel.Debug, LogLevel.Debug)]
    public void ToLogLevel_SyslogLevel_MapsToLogLevel(KafkaLogLevel level, LogLevel expected) => Assert.Equal(expected, KafkaLog.ToLogLevel(level));

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static PipelineManager Manager(ILoggerFactory? logs = null) => new(new PipelineManagerOptions
    {
        Registry = ConnectorRegistry.CreateDefault().AddKafka(),
        Factory = new PipelineFactoryOptions { LoggerFactory = logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance },
    });

    /// <summary>Produces n messages { "n": i } with key k{i}, headers traceparent t{i} and keep yes/no, timestamps BaseTime + i s.</summary>
    private async Task<DeliveryResult<byte[], byte[]>[]> ProduceAsync(KafkaTestCluster cluster, string topic, int count, Func<int, bool>? test = null)
    {
        using var producer = KafkaClients.Producer(cluster.ProducerConfig(), output);
        var results = new DeliveryResult<byte[], byte[]>[count];
        for (var i = 0; i < count; i++)
        {
            var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes($"t{i}") }, { "keep", Encoding.UTF8.GetBytes(i % 3 == 0 ? "yes" : "no") } };
            if (test?.Invoke(i) == true)
            {
                headers.Add("test", "true"u8.ToArray());
            }

            results[i] = await producer.ProduceAsync(topic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes($"k{i}"),
                Value = Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""),
                Headers = headers,
                Timestamp = new Timestamp(BaseTime.AddSeconds(i)),
            });
        }

        return results;
    }

    private List<Message<byte[], byte[]>> ReadAll(KafkaTestCluster cluster, string topic, int expected)
    {
        using var consumer = KafkaClients.Consumer(cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("read")), output);
        consumer.Subscribe(topic);
        var read = new List<Message<byte[], byte[]>>();
        var watch = Stopwatch.StartNew();
        while (read.Count < expected && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                read.Add(result.Message);
            }
        }

        // Nothing more than expected arrives (no duplicates).
        var end = Stopwatch.StartNew();
        while (end.Elapsed < TimeSpan.FromSeconds(1))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                read.Add(result.Message);
            }
        }

        consumer.Close();
        return read;
    }

    private static async Task<string[]> WaitForLinesAsync(string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(path) || File.ReadAllLines(path).Count(l => l.EndsWith('}')) < count)
        {
            await Task.Delay(100, timeout.Token);
        }

        return File.ReadAllLines(path);
    }

    /// <summary>Keeps every log line (category, level, message).</summary>
    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
