using System.Buffers.Binary;
using System.Diagnostics;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>The engine's <see cref="StreamSource"/> and <see cref="StreamSink"/> over <see cref="KafkaStreamFramework"/>.</summary>
public sealed class KafkaStreamPipelineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StreamSourceMapStreamSink_50000RecordsOver8PartitionsOn3Brokers_NoLossNoDuplicatesOrderKeptFinalOffsetsCommitted()
    {
        const int Total = 50_000;
        const int Partitions = 8;
        const int Keys = 256;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var input = KafkaTestCluster.UniqueTopic("in");
        var outputTopic = KafkaTestCluster.UniqueTopic("out");
        await cluster.CreateTopicAsync(input, Partitions, replicationFactor: 3);
        await cluster.CreateTopicAsync(outputTopic, Partitions, replicationFactor: 3);
        await using var framework = await KafkaStreamFrameworkTests.StartAsync(cluster);
        var group = new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("pipeline") };
        var watch = Stopwatch.StartNew();

        await using var verifier = await framework.ConsumeStreamAsync(outputTopic, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("verify") });
        var checker = new KeyOrderChecker(Total + 100, Partitions);
        var first = StartPipeline(framework, input, outputTopic, group);
        await ProduceAsync(framework, input, 0, Total, Keys);
        await checker.ReadAsync(verifier, Total, Guard);
        await first.StopAsync();
        output.WriteLine($"{Total:N0} records in -> map -> out in {watch.Elapsed.TotalSeconds:F2} s");

        Assert.Equal(Total, checker.Distinct);
        Assert.Equal(0, checker.Duplicates);
        Assert.Equal(0, checker.OutOfOrder);
        Assert.Equal(0, checker.WrongPartition);
        Assert.Equal(0, checker.Unmapped);
        Assert.Equal(Total, first.Statistics.RecordsWritten);

        // The drain committed the final offsets of every partition of the input.
        var watermarks = await framework.GetWatermarksAsync(input);
        Assert.Equal(Total, watermarks.Sum(w => w.High));
        var committed = await framework.GetCommittedOffsetsAsync(input, group.GroupId);
        Assert.Equal(watermarks.Select(w => new SourcePosition(w.Partition, w.High)), committed);

        // A restarted pipeline in the same group reads only what is new.
        var second = StartPipeline(framework, input, outputTopic, group);
        await ProduceAsync(framework, input, Total, 100, Keys);
        await checker.ReadAsync(verifier, 100, Guard);
        await second.StopAsync();
        await Task.Delay(200);
        checker.Drain(verifier);
        output.WriteLine($"restart: {second.Statistics.RecordsWritten} records, total {watch.Elapsed.TotalSeconds:F2} s");

        Assert.Equal(Total + 100, checker.Distinct);
        Assert.Equal(0, checker.Duplicates);
        Assert.Equal(0, checker.OutOfOrder);
        Assert.Equal(100, second.Statistics.RecordsWritten);
        Assert.Equal(Total + 100, (await framework.GetWatermarksAsync(outputTopic)).Sum(w => w.High));
    }

    private static PipelineRun StartPipeline(KafkaStreamFramework framework, string input, string outputTopic, StreamConsumerOptions group) =>
        Pipeline.From(new StreamSource(framework, input, group), new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(50) })
            .Map(record => record.WithValue<ReadOnlyMemory<byte>>(KafkaRelay.Mapped(record.Value)))
            .To(new StreamSink(framework, outputTopic))
            .Build()
            .Start();

    private static async Task ProduceAsync(KafkaStreamFramework framework, string topic, int first, int count, int keys)
    {
        var batch = new List<OutgoingMessage>(1000);
        for (var i = first; i < first + count; i++)
        {
            var key = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(key, i % keys);
            var value = new byte[64];
            BinaryPrimitives.WriteInt64BigEndian(value, i);
            batch.Add(new OutgoingMessage(key, value));
            if (batch.Count == 1000 || i == first + count - 1)
            {
                await framework.ProduceMessagesAsync(topic, batch.ToArray());
                batch.Clear();
            }
        }
    }

    /// <summary>Counts lost, duplicated and out-of-order sequence numbers per key on the output, and keys on the wrong partition.</summary>
    private sealed class KeyOrderChecker(int capacity, int partitions)
    {
        private readonly byte[] seen = new byte[capacity];
        private readonly Dictionary<int, long> lastPerKey = [];

        public long Distinct { get; private set; }

        public long Duplicates { get; private set; }

        public long OutOfOrder { get; private set; }

        public long WrongPartition { get; private set; }

        public long Unmapped { get; private set; }

        public async Task ReadAsync(IStreamConsumer consumer, long count, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            var target = Distinct + Duplicates + count;
            while (Distinct + Duplicates < target)
            {
                Assert.True(await consumer.WaitToConsumeAsync(cancel.Token));
                Drain(consumer);
            }
        }

        public void Drain(IStreamConsumer consumer)
        {
            while (consumer.TryConsume(out var message))
            {
                Add(message);
            }
        }

        private void Add(in StreamMessage message)
        {
            var key = BinaryPrimitives.ReadInt32BigEndian(message.Key.Span);
            var sequence = BinaryPrimitives.ReadInt64BigEndian(message.Value.Span);
            if (message.Value.Span[^1] != (byte)'m' || message.Value.Length != 65)
            {
                Unmapped++;
            }

            if (StreamPartitioner.ForKey(message.Key.Span, partitions) != message.Partition)
            {
                WrongPartition++;
            }

            if (lastPerKey.TryGetValue(key, out var last) && sequence <= last)
            {
                OutOfOrder++;
            }

            lastPerKey[key] = sequence;
            if (seen[sequence] != 0)
            {
                Duplicates++;
            }
            else
            {
                seen[sequence] = 1;
                Distinct++;
            }
        }
    }
}
