using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Joins;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>A lookup join whose table follows a compacted topic on the mock cluster: loaded to the end first, then followed live.</summary>
public sealed class KafkaLookupTableTests(ITestOutputHelper output)
{
    [MockKafkaFact]
    public async Task FromCompactedTopic_LoadedToTheEndThenFollowed_JoinsLastValuesAndTombstonesDelete()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("customers");
        await cluster.CreateTopicAsync(topic, partitions: 4);   // partition 3 stays empty: its end counts too
        using var producer = KafkaClients.Producer(cluster.ProducerConfig(), output);
        for (var n = 0; n < 2_000; n++)
        {
            Put(producer, topic, n, $"v{n}");
        }

        for (var n = 0; n < 100; n++)
        {
            Put(producer, topic, n, $"w{n}");   // the last value of a key wins
        }

        for (var n = 100; n < 200; n++)
        {
            Put(producer, topic, n, null);      // tombstones
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster);
        var input = Channel.CreateUnbounded<int>();
        var sink = new CollectionSink<(int N, string? Name)>();

        // snippet: kafka-lookup-table
        var customers = KafkaLookupTable.FromCompactedTopic(kafka, topic, key => Encoding.UTF8.GetString(key), value => Encoding.UTF8.GetString(value));
        var run = Pipeline.From(new ChannelOf(input.Reader), new PipelineOptions { BatchSize = 64 })
            .LookupJoin(customers, n => $"c{n}", (n, name) => (n, name))   // the first batch waits until the topic was read to its end
            .To(sink)
            .Build()
            .Start();
        // end snippet

        for (var n = 0; n < 2_200; n++)
        {
            await input.Writer.WriteAsync(n);
        }

        await WaitUntil(() => sink.Count == 2_200, run);
        Assert.Equal(
            Enumerable.Range(0, 2_200).Select(n => (n, n < 100 ? $"w{n}" : n is >= 100 and < 200 or >= 2_000 ? null : $"v{n}")),
            sink.Records);

        // Live: an update, a tombstone and a new key, applied between two batches once read.
        Put(producer, topic, 5, "live5");
        Put(producer, topic, 300, null);
        Put(producer, topic, 2_100, "new");
        producer.Flush(TimeSpan.FromSeconds(30));
        var written = sink.Count;
        var rounds = 0;
        (int N, string? Name)[] last;
        do
        {
            rounds++;
            foreach (var n in new[] { 5, 300, 2_100 })
            {
                await input.Writer.WriteAsync(n);
            }

            written += 3;
            await WaitUntil(() => sink.Count == written, run);
            last = [.. sink.Records.Skip(written - 3)];
        }
        while (last[0].Name != "live5" || last[1].Name is not null || last[2].Name != "new");

        input.Writer.Complete();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"live changes seen after {rounds} round(s)");
        Assert.Equal(PipelineState.Completed, run.State);
    }

    [MockKafkaFact]
    public async Task FromCompactedTopic_LiveChangesPastTheStateBudget_FailTheRunWithJoinStateFullException()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("big");
        await cluster.CreateTopicAsync(topic, partitions: 3);
        using var producer = KafkaClients.Producer(cluster.ProducerConfig(), output);
        for (var n = 0; n < 10; n++)
        {
            Put(producer, topic, n, "small");
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster);
        var input = Channel.CreateUnbounded<int>();
        var sink = new CollectionSink<(int N, string? Name)>();
        var run = Pipeline.From(new ChannelOf(input.Reader), new PipelineOptions { BatchSize = 16 })
            .LookupJoin(
                KafkaLookupTable.FromCompactedTopic(kafka, topic, key => Encoding.UTF8.GetString(key), value => Encoding.UTF8.GetString(value)),
                n => $"c{n}",
                (n, name) => (n, name),
                new LookupJoinOptions { StateBudgetBytes = 64 * 1024 })
            .To(sink)
            .Build()
            .Start();
        await input.Writer.WriteAsync(1);
        await WaitUntil(() => sink.Count == 1, run);
        Assert.Equal((1, "small"), sink.Records[0]);

        // 1,000 keys of 200 characters (~0.5 MB estimated) grow the table past 64 KiB while the pipeline runs.
        var big = new string('x', 200);
        for (var n = 0; n < 1_000; n++)
        {
            Put(producer, topic, n, big);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // only against a hang
        while (!run.Completion.IsCompleted)
        {
            await input.Writer.WriteAsync(1, guard.Token);
            await Task.WhenAny(run.Completion, Task.Delay(10, guard.Token));
        }

        var error = await Assert.ThrowsAsync<JoinStateFullException>(() => run.Completion);
        output.WriteLine(error.Message);
        Assert.Equal(PipelineState.Failed, run.State);
        Assert.Equal(64 * 1024, error.StateBudgetBytes);
    }

    [MockKafkaFact]
    public async Task FromCompactedTopic_WithARefreshInterval_IsRefusedWhenBuilt()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster);
        var table = KafkaLookupTable.FromCompactedTopic(kafka, "any", key => key.Length, value => value.Length);
        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(new CollectionSource<int>([1]))
            .LookupJoin(table, n => n, (n, v) => v, new LookupJoinOptions { RefreshInterval = TimeSpan.FromSeconds(1) })
            .To(new CollectionSink<int>())
            .Build());
        Assert.Contains("follows a change stream; RefreshInterval must be unset", error.Message, StringComparison.Ordinal);
    }

    private static void Put(IProducer<byte[], byte[]> producer, string topic, int n, string? value) =>
        producer.Produce(
            new TopicPartition(topic, n % 3),
            new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"c{n}"), Value = value is null ? null! : Encoding.UTF8.GetBytes(value) });

    private static async Task WaitUntil(Func<bool> condition, PipelineRun run)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // only against a hang
        while (!condition())
        {
            if (run.Completion.IsFaulted)
            {
                await run.Completion;
            }

            await Task.Delay(10, guard.Token);
        }
    }

    private sealed class ChannelOf(ChannelReader<int> reader) : SourceConnector<int>("channel")
    {
        public override IAsyncEnumerable<int> ReadAsync(CancellationToken cancellationToken = default) => reader.ReadAllAsync(cancellationToken);
    }
}
