using System.Collections.Concurrent;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>TLS and SASL settings pass through to librdkafka; their secret values never reach a log line or an exception.</summary>
public sealed class KafkaSecretsTests(ITestOutputHelper output)
{
    private const string Canary = "canary-Pa55w0rd-7f3e9b";

    /// <summary>A value librdkafka certainly prints (it is in the client id of every line), registered as a secret.</summary>
    private const string PrintedCanary = "canary-printed-51c0de";

    [Fact]
    public async Task SaslPasswordWithDebugLogging_FailingRun_CanaryInNoLogLineAndNoException()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("secret");
        await cluster.CreateTopicAsync(topic, partitions: 1);
        var lines = new ConcurrentQueue<KafkaLogMessage>();
        // snippet: kafka-security
        var options = new KafkaStreamOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Settings = new Dictionary<string, string>
            {
                ["security.protocol"] = "SASL_PLAINTEXT",   // or SASL_SSL with ssl.ca.location, ...: passed to librdkafka as they are
                ["sasl.mechanisms"] = "PLAIN",
                ["sasl.username"] = "pipeline",
                ["sasl.password"] = Canary,               // a secret setting: scrubbed by value from every log line and error
                ["debug"] = "all",
            },
            LogHandler = line => lines.Enqueue(line),    // default: Logger (an ILogger), scrubbed the same way
        };
        // end snippet
        options = options with
        {
            ClientId = "client-" + PrintedCanary,
            SecretValues = [PrintedCanary],
            OperationTimeout = TimeSpan.FromSeconds(3),
            Settings = new Dictionary<string, string>(options.Settings!) { ["message.timeout.ms"] = "3000" },
        };
        var errors = new List<string>();
        await using (var kafka = new KafkaStreamFramework(options))
        {
            await kafka.StartAsync();
            var sink = new KafkaSink(options, topic);
            var run = Pipeline.From(new Connectors.Memory.CollectionSource<Record<ReadOnlyMemory<byte>>>([new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, new byte[] { 1 }, null, DateTimeOffset.UnixEpoch, default)]))
                .To(sink)
                .Build()
                .Start();
            errors.Add((await Assert.ThrowsAnyAsync<Exception>(() => run.Completion)).ToString());
            errors.Add((await Assert.ThrowsAnyAsync<Exception>(() => kafka.GetWatermarksAsync(topic).AsTask())).ToString());
        }

        output.WriteLine($"{lines.Count} log lines, {lines.Count(l => l.Message.Contains(KafkaSecrets.Mask, StringComparison.Ordinal))} scrubbed; errors:\n{string.Join("\n", errors)}");
        foreach (var canary in new[] { Canary, PrintedCanary })
        {
            Assert.DoesNotContain(lines, line => line.Message.Contains(canary, StringComparison.Ordinal) || line.Client.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(errors, error => error.Contains(canary, StringComparison.Ordinal));
        }

        Assert.Contains(lines, line => line.Message.Contains("sasl.password", StringComparison.Ordinal)); // the debug configuration dump ran
        Assert.Contains(lines, line => line.Message.Contains("client-" + KafkaSecrets.Mask, StringComparison.Ordinal)); // and was scrubbed by value
    }

    [Fact]
    public void Scrub_SecretSettingAndExtraValue_MasksBothByValue()
    {
        _ = new KafkaSink(new KafkaStreamOptions
        {
            BootstrapServers = "127.0.0.1:1",
            Settings = new Dictionary<string, string> { ["ssl.key.password"] = "k3y-secret-1", ["client.rack"] = "rack-1" },
            SecretValues = ["token-from-config-2"],
        }, "t");

        Assert.Equal("a *** b *** c rack-1", KafkaSecrets.Scrub("a k3y-secret-1 b token-from-config-2 c rack-1"));
    }
}
