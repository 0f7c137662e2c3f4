using System.Text;
using Confluent.Kafka;
using DataWeaver.Errors;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>The operations of <see cref="KafkaStreamFramework"/> against the test cluster.</summary>
public sealed class KafkaStreamFrameworkTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CreateStreamAsync_ExistingTopic_SucceedsWithSameCountAndThrowsOtherwise()
    {
        await using var cluster = await KafkaTestCluster.StartAsync();
        var topic = KafkaTestCluster.UniqueTopic("create");
        await cluster.CreateTopicAsync(topic, partitions: 4);
        await using var framework = await StartAsync(cluster);

        await framework.CreateStreamAsync(topic, 4);

        Assert.Equal(4, await framework.GetPartitionCountAsync(topic));
        var other = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync(topic, 5).AsTask());
        Assert.Equal(StreamErrorCode.TopicAlreadyExists, other.Code);
        var invalid = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync(topic, 0).AsTask());
        Assert.Equal(StreamErrorCode.InvalidPartitionCount, invalid.Code);
    }

    [Fact]
    public async Task GetPartitionCountAsync_UnknownTopic_ThrowsUnknownTopic()
    {
        await using var cluster = await KafkaTestCluster.StartAsync();
        await using var framework = await StartAsync(cluster);

        var exception = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.GetPartitionCountAsync("dw-missing").AsTask());

        Assert.Equal(StreamErrorCode.UnknownTopic, exception.Code);
        Assert.Equal("dw-missing", exception.Topic);
    }

    [Fact]
    public async Task Members_BeforeStartAndAfterStop_ThrowNotStartedAndStopped()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var framework = new KafkaStreamFramework(new KafkaStreamOptions { BootstrapServers = cluster.BootstrapServers });

        var before = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.GetPartitionCountAsync("t").AsTask());
        await framework.StartAsync();
        await framework.StopAsync();
        var after = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.GetPartitionCountAsync("t").AsTask());
        var restart = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.StartAsync().AsTask());

        Assert.Equal(StreamErrorCode.NotStarted, before.Code);
        Assert.Equal(StreamErrorCode.Stopped, after.Code);
        Assert.Equal(StreamErrorCode.Stopped, restart.Code);
    }

    [Fact]
    public async Task ProduceMessagesAsync_1000KeyedMessages_LandOnStreamPartitionerPartitionsAndRaiseWatermarks()
    {
        await using var cluster = await KafkaTestCluster.StartAsync();
        var topic = KafkaTestCluster.UniqueTopic("batch");
        await cluster.CreateTopicAsync(topic, partitions: 8, replicationFactor: 3);
        await using var framework = await StartAsync(cluster);
        var messages = Enumerable.Range(0, 1000).Select(i => new OutgoingMessage(Bytes($"key-{i % 37}"), Bytes(i.ToString()))).ToArray();

        await framework.ProduceMessagesAsync(topic, messages);
        var single = await framework.ProduceMessageAsync(topic, new OutgoingMessage(Bytes("key-5"), Bytes("last")));

        var expected = new long[8];
        foreach (var message in messages.Append(new OutgoingMessage(Bytes("key-5"), Bytes("last"))))
        {
            expected[StreamPartitioner.ForKey(message.Key.Span, 8)]++;
        }

        var watermarks = await framework.GetWatermarksAsync(topic);
        Assert.Equal(Enumerable.Range(0, 8), watermarks.Select(w => w.Partition));
        Assert.All(watermarks, w => Assert.Equal(0, w.Low));
        Assert.Equal(expected, watermarks.Select(w => w.High));
        Assert.Equal(StreamPartitioner.ForKey(Bytes("key-5").Span, 8), single.Partition);
        Assert.Equal(expected[single.Partition] - 1, single.Offset);
    }

    [Fact]
    public async Task ProduceMessagesAsync_OversizedOrUnknownPartitionInBatch_ThrowsBeforeStoringAnything()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("invalid");
        await cluster.CreateTopicAsync(topic, partitions: 2);
        await using var framework = await StartAsync(cluster, new KafkaStreamOptions { BootstrapServers = cluster.BootstrapServers, MaxMessageBytes = 1000 });
        OutgoingMessage[] oversized = [new(Bytes("a"), Bytes("ok")), new(Bytes("b"), new byte[1001])];
        OutgoingMessage[] unknownPartition = [new(Bytes("a"), Bytes("ok")), new(Bytes("b"), Bytes("x")) { Partition = 2 }];

        var tooLarge = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.ProduceMessagesAsync(topic, oversized).AsTask());
        var unknown = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.ProduceMessagesAsync(topic, unknownPartition).AsTask());

        Assert.Equal(StreamErrorCode.MessageTooLarge, tooLarge.Code);
        Assert.Equal(ErrorClass.Data, tooLarge.ErrorClass);
        Assert.Equal(StreamErrorCode.UnknownPartition, unknown.Code);
        Assert.Equal(2, unknown.Partition);
        Assert.All(await framework.GetWatermarksAsync(topic), w => Assert.Equal(0, w.High));
    }

    [Fact]
    public void Map_KafkaErrors_MessageTooLargeIsDataRetriableIsTransientFatalIsFatal()
    {
        var tooLarge = KafkaErrors.Map(new Error(ErrorCode.MsgSizeTooLarge), "Producing");
        var retriable = KafkaErrors.Map(new Error(ErrorCode.RequestTimedOut), "Producing");
        var fatal = KafkaErrors.Map(new Error(ErrorCode.Local_Fatal, "fenced", isFatal: true), "Producing");
        var unknown = KafkaErrors.Map(new Error(ErrorCode.UnknownTopicOrPart), "Producing", "t");

        Assert.Equal(StreamErrorCode.MessageTooLarge, Assert.IsType<StreamFrameworkException>(tooLarge).Code);
        Assert.Equal(ErrorClass.Data, tooLarge.ErrorClass);
        Assert.Equal(ErrorClass.Transient, retriable.ErrorClass);
        Assert.Equal(ErrorClass.Fatal, Assert.IsType<StreamFrameworkException>(fatal).ErrorClass);
        Assert.Equal(StreamErrorCode.UnknownTopic, Assert.IsType<StreamFrameworkException>(unknown).Code);
    }

    [Fact]
    public async Task ConsumeStreamAsync_CommitThenRejoin_ResumesAtCommittedOffsetWithKeysValuesAndHeaders()
    {
        await using var cluster = await KafkaTestCluster.StartAsync();
        var topic = KafkaTestCluster.UniqueTopic("consume");
        await cluster.CreateTopicAsync(topic, partitions: 1, replicationFactor: 3);

        // snippet: kafka-framework
        await using var framework = new KafkaStreamFramework(new KafkaStreamOptions
        {
            BootstrapServers = cluster.BootstrapServers,   // "broker1:9092,broker2:9092"
            ClientId = "orders-service",
            Settings = new Dictionary<string, string> { ["linger.ms"] = "10" },                 // any librdkafka setting
            ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000" },  // consumers only
        });
        await framework.StartAsync();
        await framework.CreateStreamAsync(topic, partitions: 1);   // exists already: checked, not created
        await framework.ProduceMessagesAsync(topic, new[]
        {
            new OutgoingMessage(Encoding.UTF8.GetBytes("order-1"), Encoding.UTF8.GetBytes("{\"total\":10}"), new RecordHeaders().Add("source", "web")),
            new OutgoingMessage(Encoding.UTF8.GetBytes("order-2"), Encoding.UTF8.GetBytes("{\"total\":20}")),
        });

        var consumer = await framework.ConsumeStreamAsync(topic, new StreamConsumerOptions { GroupId = "billing" });
        await consumer.WaitToConsumeAsync();                 // the group's first assignment takes a few seconds
        consumer.TryConsume(out var first);                  // order-1 at offset 0, header source=web
        await consumer.CommitAsync([first.ResumePosition]);  // offset 1: the next to read
        await consumer.DisposeAsync();                       // leaves the group
        // end snippet

        Assert.Equal("order-1", Encoding.UTF8.GetString(first.Key.Span));
        Assert.Equal("web", first.Headers!.GetLastString("source"));
        Assert.Equal(0, first.Offset);

        await using var second = await framework.ConsumeStreamAsync(topic, new StreamConsumerOptions { GroupId = "billing" });
        using var timeout = new CancellationTokenSource(Guard);
        Assert.True(await second.WaitToConsumeAsync(timeout.Token));
        Assert.True(second.TryConsume(out var next));
        Assert.Equal(1, next.Offset);
        Assert.Equal("{\"total\":20}", Encoding.UTF8.GetString(next.Value.Span));
        Assert.Null(next.Headers);
        Assert.Equal([0], second.Assignment);
        Assert.Equal([new SourcePosition(0, 1)], await second.GetCommittedOffsetsAsync());
    }

    internal static async Task<KafkaStreamFramework> StartAsync(KafkaTestCluster cluster, KafkaStreamOptions? options = null)
    {
        var framework = new KafkaStreamFramework(options ?? Options(cluster));
        await framework.StartAsync();
        return framework;
    }

    /// <summary>The framework's options for the test cluster: a short session timeout, so a group rejoins quickly.</summary>
    internal static KafkaStreamOptions Options(KafkaTestCluster cluster) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
    };

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
