using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary><see cref="KafkaSink"/>: acknowledgements from delivery reports, errors, and the 1,000,000-record must-show.</summary>
public sealed class KafkaSinkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [MockKafkaFact]
    public async Task KafkaSink_5000KeyedRecordsWithHeaders_AcknowledgesOnlyAfterDeliveryAndTopicHoldsExactlyTheRecordsInOrder()
    {
        const int Total = 5_000;
        const int Partitions = 4;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var topic = KafkaTestCluster.UniqueTopic("sink");
        await cluster.CreateTopicAsync(topic, Partitions, replicationFactor: 3);
        var records = Enumerable.Range(0, Total).Select(i => new Record<ReadOnlyMemory<byte>>(
            Int32(i % 64), Int64(i), new RecordHeaders().Add("seq", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), default, default)).ToArray();
        var source = new CollectionSource<Record<ReadOnlyMemory<byte>>>(records);
        var sink = new KafkaSink(KafkaStreamFrameworkTests.Options(cluster), topic);
        for (var broker = 1; broker <= 3; broker++)
        {
            cluster.Faults.SetBrokerRtt(broker, TimeSpan.FromSeconds(1)); // every delivery report takes at least 1 s
        }

        var watch = Stopwatch.StartNew();
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 500 }).To(sink).Build().Start();
        await Task.Delay(400);

        // Every batch is in librdkafka's hands, none is delivered: nothing is committed and the run waits.
        Assert.Equal(0, source.Committed);
        Assert.False(run.Completion.IsCompleted);
        Assert.True(sink.InFlight > 0, "records are handed to the producer before they are delivered");

        for (var broker = 1; broker <= 3; broker++)
        {
            cluster.Faults.SetBrokerRtt(broker, TimeSpan.Zero);
        }

        await run.Completion.WaitAsync(Guard);
        output.WriteLine($"{Total:N0} records acknowledged after {watch.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(Total, source.Committed);
        Assert.Equal(0, sink.InFlight);

        // The topic holds exactly the records: each once, on its murmur2 partition, in order per partition, headers kept.
        var consumed = ConsumeAll(cluster, topic, Total);
        Assert.Equal(Total, consumed.Count);
        Assert.Equal(Enumerable.Range(0, Total).Select(i => (long)i), consumed.Select(c => BinaryPrimitives.ReadInt64BigEndian(c.Message.Value)).Order());
        foreach (var partition in consumed.GroupBy(c => c.Partition.Value))
        {
            var sequences = partition.Select(c => BinaryPrimitives.ReadInt64BigEndian(c.Message.Value)).ToArray();
            Assert.Equal(sequences.Order(), sequences);
            Assert.Equal(Enumerable.Range(0, sequences.Length).Select(o => (long)o), partition.Select(c => c.Offset.Value));
        }

        foreach (var message in consumed)
        {
            Assert.Equal(StreamPartitioner.ForKey(message.Message.Key, Partitions), message.Partition.Value);
            var sequence = BinaryPrimitives.ReadInt64BigEndian(message.Message.Value);
            Assert.Equal(sequence % 64, BinaryPrimitives.ReadInt32BigEndian(message.Message.Key));
            Assert.Equal(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Text.Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes("seq")));
        }
    }

    [Fact]
    public async Task KafkaSink_MessageAboveProducerMessageMaxBytes_FailsRunWithDataErrorAndCommitsNothingPastIt()
    {
        const int Total = 1_000;
        const int Big = 500;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var topic = KafkaTestCluster.UniqueTopic("sink-big");
        await cluster.CreateTopicAsync(topic, 4, replicationFactor: 3);
        var records = Enumerable.Range(0, Total)
            .Select(i => new Record<ReadOnlyMemory<byte>>(Int32(i), i == Big ? new byte[20_000] : Int64(i), null, default, default))
            .ToArray();
        var source = new CollectionSource<Record<ReadOnlyMemory<byte>>>(records);
        var options = KafkaStreamFrameworkTests.Options(cluster) with { Settings = new Dictionary<string, string> { ["message.max.bytes"] = "10000" } };
        var sink = new KafkaSink(options, topic);

        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 100 }).To(sink).Build().Start();
        var error = await Assert.ThrowsAnyAsync<DataWeaverException>(() => run.Completion.WaitAsync(Guard));
        output.WriteLine(error.ToString());

        Assert.Equal(ErrorClass.Data, error.ErrorClass);
        var tooLarge = Assert.IsType<StreamFrameworkException>(error);
        Assert.Equal(StreamErrorCode.MessageTooLarge, tooLarge.Code);
        Assert.True(source.Committed <= Big, $"committed {source.Committed}, past the oversized record {Big}");
        Assert.True(run.AcknowledgedPositions.All(p => p.Offset <= Big), "nothing past the oversized record is acknowledged");
        var stored = ConsumeAll(cluster, topic, expected: Big, timeout: TimeSpan.FromSeconds(5));
        Assert.True(stored.Count <= Big, $"{stored.Count} records stored");
        Assert.DoesNotContain(stored, c => BinaryPrimitives.ReadInt64BigEndian(c.Message.Value) >= Big);
    }

    [MockKafkaFact]
    public async Task KafkaSink_DeliveryReportsFailWithMessageTooLarge_NextWriteOrFlushFailsWithDataErrorAndBatchIsNeverAcknowledged()
    {
        const int Total = 300;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("sink-dr");
        await cluster.CreateTopicAsync(topic, 1);
        cluster.Faults.PushRequestErrors(KafkaApiKey.Produce, Enumerable.Repeat(ErrorCode.MsgSizeTooLarge, 20).ToArray());
        var records = Enumerable.Range(0, Total).Select(i => new Record<ReadOnlyMemory<byte>>(default, Int64(i), null, default, default)).ToArray();
        var source = new CollectionSource<Record<ReadOnlyMemory<byte>>>(records);
        var sink = new KafkaSink(KafkaStreamFrameworkTests.Options(cluster), topic);

        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 100 }).To(sink).Build().Start();
        var error = await Assert.ThrowsAnyAsync<DataWeaverException>(() => run.Completion.WaitAsync(Guard));
        output.WriteLine(error.ToString());

        Assert.Equal(ErrorClass.Data, error.ErrorClass);
        Assert.Equal(StreamErrorCode.MessageTooLarge, Assert.IsType<StreamFrameworkException>(error).Code);
        Assert.Contains("Delivering to", error.Message, StringComparison.Ordinal); // from a delivery report, not from Produce
        Assert.Equal(0, source.Committed);
    }

    /// <summary>
    /// The must-show: 1,000,000 sequence-numbered records produced to a 16-partition input on 3 brokers while
    /// <c>StreamSource -> Map -> KafkaSink (keep partition)</c> runs; the output holds each once, in order per partition.
    /// </summary>
    [Fact]
    public async Task StreamSourceMapKafkaSink_1000000RecordsOn3Brokers16Partitions_ConsumedWhileProduced_NoLossNoDuplicatesOrderKept()
    {
        const int Total = 1_000_000;
        const int Partitions = 16;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var input = KafkaTestCluster.UniqueTopic("in");
        var outputTopic = KafkaTestCluster.UniqueTopic("out");
        await cluster.CreateTopicAsync(input, Partitions, replicationFactor: 3);
        await cluster.CreateTopicAsync(outputTopic, Partitions, replicationFactor: 3);
        var options = KafkaStreamFrameworkTests.Options(cluster) with { ConsumerBufferMessages = 50_000 };
        await using var framework = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        var group = new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("must-show") };
        // snippet: kafka-sink
        var sink = new KafkaSink(options, outputTopic, new StreamSinkOptions { KeepPartition = true });   // its own producer
        var run = Pipeline.From(new StreamSource(framework, input, group), new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(100) })
            .Map(record => record.WithValue<ReadOnlyMemory<byte>>(KafkaRelay.Mapped(record.Value)))
            .To(sink)   // acknowledges a batch when its last delivery report arrived, all stored
            .Build()
            .Start();
        // end snippet

        // The verifier reads the output while everything runs (the mock keeps at most 5 MiB per partition).
        var checker = new SequenceChecker(Total);
        long unmapped = 0;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var verifier = Task.Run(() =>
        {
            using var consumer = KafkaClients.Consumer(cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("verify")), output);
            consumer.Subscribe(outputTopic);
            var read = 0L;
            while (read < Total && !cancel.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                if (result.Message.Value.Length != 9 || result.Message.Value[^1] != (byte)'m')
                {
                    unmapped++;
                }

                checker.Add(result);
                read++;
            }

            consumer.Close();
        });

        var watch = Stopwatch.StartNew();
        var producer = new SequenceProducer();
        var producing = Task.Run(() =>
        {
            using var client = KafkaClients.Producer(cluster.ProducerConfig(), output);
            producer.Produce(client, input, 0, Total, keys: 4096, valueBytes: 8);
        });
        await producing.WaitAsync(cancel.Token);
        var produced = watch.Elapsed;
        await verifier.WaitAsync(cancel.Token);
        var elapsed = watch.Elapsed;
        await run.StopAsync();
        output.WriteLine(
            $"{Total:N0} records: produced to the input in {produced.TotalSeconds:F2} s; in -> map -> KafkaSink -> out, all verified after " +
            $"{elapsed.TotalSeconds:F2} s ({Total / elapsed.TotalSeconds:N0} records/s); lost {checker.Lost}, duplicated {checker.Duplicates}, " +
            $"out of order {checker.OutOfOrder}, offset breaks {checker.OffsetBreaks}, pipeline wrote {run.Statistics.RecordsWritten:N0}");

        Assert.Empty(producer.Errors);
        Assert.Equal(Total, producer.Delivered);
        checker.AssertExactlyOnceInOrder();
        Assert.Equal(0, unmapped);
        Assert.Equal(Total, run.Statistics.RecordsWritten);
        var inputWatermarks = await framework.GetWatermarksAsync(input);
        var outputWatermarks = await framework.GetWatermarksAsync(outputTopic);
        Assert.Equal(inputWatermarks.Select(w => w.High), outputWatermarks.Select(w => w.High)); // partition kept: same count per partition
        Assert.Equal(inputWatermarks.Select(w => new SourcePosition(w.Partition, w.High)), await framework.GetCommittedOffsetsAsync(input, group.GroupId));
    }

    private static List<ConsumeResult<byte[], byte[]>> ConsumeAll(KafkaTestCluster cluster, string topic, int expected, TimeSpan? timeout = null)
    {
        var config = cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("check"));
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<byte[], byte[]>>();
        var watch = Stopwatch.StartNew();
        var limit = timeout ?? Guard;
        while (watch.Elapsed < limit && (results.Count < expected || timeout is not null))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
            }
        }

        // Anything beyond the expected count (a duplicate) arrives right behind it: read a little longer.
        var extra = Stopwatch.StartNew();
        while (timeout is null && extra.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
            }
        }

        consumer.Close();
        return results;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
