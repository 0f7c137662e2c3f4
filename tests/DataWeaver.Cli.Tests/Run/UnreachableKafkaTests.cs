using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary>Issue: Kafka with no reachable broker printed raw librdkafka lines for 30 s, then a bare transient error.</summary>
public sealed class UnreachableKafkaTests : IDisposable
{
    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Run_NoBrokerListening_GivesUpAfterOperationTimeoutNamingTheBrokersWithoutFloodingStandardError()
    {
        // Port 9 (discard) on loopback: nothing listens there, every connect is refused at once and retried by librdkafka.
        _folder.Write("relay.yaml", """
            version: 1
            framework:
              type: kafka
              settings: { bootstrapServers: "127.0.0.1:9", operationTimeout: 3s }
            pipelines:
              - name: relay
                source:
                  type: kafka
                  settings: { topic: orders, group: relay }
                sinks:
                  - { type: json-lines-file, settings: { path: out.jsonl, append: true } }
            """);

        var result = await _folder.Cli().RunAsync("run", "relay.yaml", "--progress-interval", "500ms");

        Assert.Equal(3, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains(
            "No Kafka broker at '127.0.0.1:9' answered within 3 s (operationTimeout) while reading the metadata of 'orders'",
            result.Error,
            StringComparison.Ordinal);
        Assert.StartsWith("relay: failed in ", result.ErrorLines.Single(l => l.StartsWith("relay:", StringComparison.Ordinal)), StringComparison.Ordinal);

        // librdkafka retries the refused connection every few milliseconds: each distinct line is logged once per 30 s
        // (it was 137 lines in 3 s), counted rather than repeated.
        var refused = result.ErrorLines.Count(l => l.Contains("Connection refused", StringComparison.Ordinal));
        Assert.InRange(refused, 1, 12);
    }

    public void Dispose() => _folder.Dispose();
}
