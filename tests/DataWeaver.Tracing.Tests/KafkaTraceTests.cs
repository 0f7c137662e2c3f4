using System.Text;
using Confluent.Kafka;
using DataWeaver.Kafka;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Tracing.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Tracing.Tests;

/// <summary>The must-show: one trace from a Kafka source through a pipeline to a Kafka sink and on into a second pipeline.</summary>
public sealed class KafkaTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KafkaToKafka_RecordsWithUpstreamContext_OneTraceThroughBothPipelinesWithParentsAndLinks()
    {
        const int Total = 2_000;
        using var spans = new SpanRecorder();
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var input = KafkaTestCluster.UniqueTopic("trace-in");
        var middle = KafkaTestCluster.UniqueTopic("trace-mid");
        await cluster.CreateTopicAsync(input, partitions: 1);
        await cluster.CreateTopicAsync(middle, partitions: 1);

        // An upstream service produced every message inside one span of its own: its context travels in the headers.
        var upstream = TestRecords.UpstreamContext();
        using (var producer = new ProducerBuilder<byte[], byte[]>(cluster.ProducerConfig()).Build())
        {
            var traceParent = Encoding.ASCII.GetBytes(TraceContextHeaders.FormatTraceParent(upstream));
            for (var i = 0; i < Total; i++)
            {
                producer.Produce(input, new Message<byte[], byte[]>
                {
                    Value = TestRecords.Json(i),
                    Headers = new Headers { { TraceContextHeaders.TraceParent, traceParent }, { TraceContextHeaders.TraceState, Encoding.ASCII.GetBytes(upstream.TraceState!) } },
                });
            }

            producer.Flush(TestRecords.Guard);
        }

        var options = new KafkaStreamOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
        };
        await using var kafka = new KafkaStreamFramework(options);
        await kafka.StartAsync();

        // First pipeline: Kafka -> a stage -> Kafka, in batches of 100 (so many write spans).
        var first = TestRecords.Unique("relay");
        var relay = Pipeline.From(new KafkaSource(kafka, input, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("relay") }), new PipelineOptions { Name = first, BatchSize = 100 })
            .Map(r => r, "enrich")
            .To(new KafkaSink(options, middle))
            .Build()
            .Start();
        await spans.WaitForBatchesAsync(first, Total); // every batch span stops once its records were delivered to the topic
        await relay.StopAsync();

        // Second pipeline: reads what the first wrote, in batches of up to 1,000 (each holding records of several write spans).
        var second = TestRecords.Unique("consume");
        var arrived = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var consume = Pipeline.From(new KafkaSource(kafka, middle, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("consume") }), new PipelineOptions { Name = second, BatchSize = 1_000 })
            .To(arrived)
            .Build()
            .Start();
        await spans.WaitForBatchesAsync(second, Total);
        await consume.StopAsync();

        Assert.Equal(Total, arrived.Count);
        Assert.Equal(Enumerable.Range(0, Total).Select(i => Encoding.UTF8.GetString(TestRecords.Json(i))), arrived.Records.Select(r => Encoding.UTF8.GetString(r.Value.Span)));
        TraceAssert.FollowedThroughTwoPipelines(spans, upstream, first, second, [.. arrived.Records.Select(r => r.Headers)]);
        var secondBatches = spans.Batches(second);
        output.WriteLine($"first pipeline: {spans.Batches(first).Count} batch spans; second: {secondBatches.Count} batch spans with {secondBatches.Sum(b => b.Links.Count())} links in all");
        Assert.Contains(secondBatches, b => b.Links.Any()); // a batch of the second pipeline holds records of several write spans
    }
}
