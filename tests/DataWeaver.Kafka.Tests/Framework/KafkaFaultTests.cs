using Confluent.Kafka;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Lifecycle;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>Kafka -> map -> Kafka pipelines through broker faults: what is lost or duplicated is counted.</summary>
public sealed class KafkaFaultTests(ITestOutputHelper output)
{
    [MockKafkaFact]
    public async Task Relay_50InjectedRetriableProduceErrors_LosesNothingAndDuplicatesNothing()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var relay = new KafkaRelay(cluster, output);
        await relay.CreateTopicsAsync();

        // One request in flight: the mock stores a resent later batch twice where a real broker answers DuplicateSequence
        // (see ProduceConsumeTests.Produce_50InjectedRetriableProduceErrors_...).
        relay.Options = relay.Options with { Settings = new Dictionary<string, string> { ["max.in.flight"] = "1" } };
        ErrorCode[] retriable = [ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas, ErrorCode.LeaderNotAvailable];

        // The input is produced first, so the errors hit the sink's Produce requests (the mock fails the next 50 of any client).
        var (checker, run) = await relay.RunAsync(50_000, afterPrefill: () =>
            cluster.Faults.PushRequestErrors(KafkaApiKey.Produce, [.. Enumerable.Range(0, 50).Select(i => retriable[i % retriable.Length])]));

        // The sink used the errors up: a producer that never retries now succeeds at once.
        using (var probe = KafkaClients.Producer(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, MessageSendMaxRetries = 0 }, output))
        {
            var probed = await probe.ProduceAsync(relay.Input, new Message<byte[], byte[]> { Key = [], Value = new byte[8] });
            Assert.Equal(PersistenceStatus.Persisted, probed.Status);
        }

        Assert.Equal(PipelineState.Stopped, run.State);
        checker.AssertExactlyOnceInOrder();
    }

    [MockKafkaFact]
    public async Task Relay_OffsetCommitsTimingOut_RetriesTheCommitsAndLosesNothing()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var relay = new KafkaRelay(cluster, output);
        await relay.CreateTopicsAsync();
        var injected = false;
        var (checker, run) = await relay.RunAsync(30_000, chunk =>
        {
            if (chunk >= 10_000 && !injected)
            {
                injected = true;
                cluster.Faults.PushRequestErrors(KafkaApiKey.OffsetCommit, [.. Enumerable.Repeat(ErrorCode.RequestTimedOut, 5)]);
            }
        });

        Assert.True(run.CommitRetries > 0, "no commit failed: the injected OffsetCommit errors were not hit");
        Assert.Equal(PipelineState.Stopped, run.State);
        checker.AssertExactlyOnceInOrder();
    }

    [MockKafkaTheory]
    [InlineData(KafkaGroupProtocol.Classic)]
    [InlineData(KafkaGroupProtocol.ClassicCooperativeSticky)]
    public async Task Relay_OffsetCommitsRefusedWithIllegalGeneration_KeepsRunningAndLosesNothing(KafkaGroupProtocol protocol)
    {
        // CI saw three cooperative-sticky members all fail: a commit refused with IllegalGeneration makes librdkafka revoke
        // and rejoin, and retrying it kept the group rebalancing until every member's commit retries ran out. More refusals
        // than 30 s of commit retries could absorb: the run must go on (at least once), not fail.
        const int Refusals = 30;
        const int InFlight = 4_096;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var relay = new KafkaRelay(cluster, output);
        await relay.CreateTopicsAsync();
        relay.Options = relay.Options with { GroupProtocol = protocol };
        relay.PipelineOptions = relay.PipelineOptions with { MaxInFlightRecords = InFlight };
        var injected = false;
        var (checker, run) = await relay.RunAsync(30_000, chunk =>
        {
            if (chunk >= 10_000 && !injected)
            {
                injected = true;
                cluster.Faults.PushRequestErrors(KafkaApiKey.OffsetCommit, [.. Enumerable.Repeat(ErrorCode.IllegalGeneration, Refusals)]);
            }
        });

        Assert.Equal(PipelineState.Stopped, run.State);
        Assert.Equal(0, checker.Lost);
        Assert.InRange(checker.Duplicates, 0, Refusals * InFlight);
    }

    [MockKafkaFact]
    public async Task Relay_BrokerDownFiveSecondsThenLeaderMove_LosesNothingAndDuplicatesNothing()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var relay = new KafkaRelay(cluster, output, partitions: 4);
        await relay.CreateTopicsAsync();
        relay.Options = relay.Options with { Settings = new Dictionary<string, string> { ["max.in.flight"] = "1" } };
        Task? fault = null;
        var (checker, run) = await relay.RunAsync(40_000, chunk =>
        {
            if (chunk >= 10_000 && fault is null)
            {
                fault = Task.Run(async () =>
                {
                    cluster.Faults.SetBrokerDown(2);
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    cluster.Faults.SetBrokerUp(2);
                    for (var partition = 0; partition < 4; partition++)
                    {
                        cluster.Faults.SetPartitionLeader(relay.Output, partition, 1 + (partition % 3));
                        cluster.Faults.SetPartitionLeader(relay.Input, partition, 1 + ((partition + 1) % 3));
                    }
                });
            }
        });

        await fault!;
        Assert.Equal(PipelineState.Stopped, run.State);
        checker.AssertExactlyOnceInOrder();
    }
}
