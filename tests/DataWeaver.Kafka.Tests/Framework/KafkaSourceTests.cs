using System.Buffers.Binary;
using DataWeaver.Connectors;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>The Kafka source under backpressure: a sink far slower than the topic.</summary>
public sealed class KafkaSourceTests(ITestOutputHelper output)
{
    [MockKafkaFact]
    public async Task SlowSinkLongerThanMaxPollInterval_ConsumerStaysInGroupAndInFlightStaysBounded()
    {
        const int Total = 6_000;
        const int MaxInFlight = 500;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("slow");
        await cluster.CreateTopicAsync(topic, partitions: 4);
        var producer = new SequenceProducer();
        using (var client = KafkaClients.Producer(cluster.ProducerConfig(), output))
        {
            producer.Produce(client, topic, 0, Total, keys: 64, valueBytes: 8);
        }

        // max.poll.interval.ms 6 s, while the sink needs ~12 s for the topic (the source could read it in milliseconds):
        // a poll loop blocked by backpressure would be thrown out of the group and re-read, duplicating.
        var options = KafkaStreamFrameworkTests.Options(cluster) with
        {
            ConsumerBufferMessages = 200,
            ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500", ["max.poll.interval.ms"] = "6000" },
        };
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        var source = new KafkaSource(kafka, topic, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("slow") });
        var sink = new SlowSink(TimeSpan.FromMilliseconds(20));
        var run = Pipeline.From(source, new PipelineOptions { MaxInFlightRecords = MaxInFlight, BatchSize = 10, CommitInterval = TimeSpan.FromMilliseconds(200) })
            .To(sink)
            .Build()
            .Start();

        var assignments = new HashSet<string>();
        while (sink.Count < Total && !run.Completion.IsCompleted)
        {
            assignments.Add(string.Join(',', source.Assignment));
            await Task.Delay(20);
        }

        await run.StopAsync();
        var distinct = sink.Sequences.Distinct().Count();
        output.WriteLine($"{sink.Count} written ({distinct} distinct) by a sink of 20 ms per batch of 10; peak in flight {run.Statistics.PeakRecordsInFlight}; assignments seen: {string.Join(" | ", assignments)}");
        Assert.Equal(PipelineState.Stopped, run.State);
        Assert.Equal(Total, sink.Count);
        Assert.Equal(Total, distinct);
        Assert.InRange(run.Statistics.PeakRecordsInFlight, 1, MaxInFlight);
        Assert.Equal(["", "0,1,2,3"], assignments.Order(StringComparer.Ordinal)); // joined once, never lost its partitions
    }

    private sealed class SlowSink(TimeSpan perBatch) : SinkConnector<Record<ReadOnlyMemory<byte>>>
    {
        private readonly List<long> sequences = [];

        public int Count
        {
            get
            {
                lock (sequences)
                {
                    return sequences.Count;
                }
            }
        }

        public IReadOnlyList<long> Sequences
        {
            get
            {
                lock (sequences)
                {
                    return [.. sequences];
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            await Task.Delay(perBatch, cancellationToken);
            lock (sequences)
            {
                foreach (var record in batch.Span)
                {
                    sequences.Add(BinaryPrimitives.ReadInt64BigEndian(record.Value.Span));
                }
            }
        }
    }
}
