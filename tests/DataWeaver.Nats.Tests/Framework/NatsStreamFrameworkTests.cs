using System.Text;
using DataWeaver.Nats.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Nats.Tests.Framework;

/// <summary>The stream-framework contract (IStreamFramework's remarks) on NATS JetStream.</summary>
public sealed class NatsStreamFrameworkTests : IAsyncLifetime
{
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CreateStreamAsync_ExistingTopic_SucceedsWithSameCountAndThrowsOtherwise()
    {
        await using var nats = await _server.FrameworkAsync();
        var topic = NatsServer.Unique("create");

        await nats.CreateStreamAsync(topic, 4);
        await nats.CreateStreamAsync(topic, 4);

        Assert.Equal(4, await nats.GetPartitionCountAsync(topic));
        Assert.Equal(StreamErrorCode.TopicAlreadyExists, (await Assert.ThrowsAsync<StreamFrameworkException>(() => nats.CreateStreamAsync(topic, 5).AsTask())).Code);
        Assert.Equal(StreamErrorCode.InvalidPartitionCount, (await Assert.ThrowsAsync<StreamFrameworkException>(() => nats.CreateStreamAsync(topic + "x", 0).AsTask())).Code);
        Assert.Equal(StreamErrorCode.UnknownTopic, (await Assert.ThrowsAsync<StreamFrameworkException>(() => nats.GetPartitionCountAsync("dw-missing").AsTask())).Code);
    }

    [Fact]
    public async Task Members_BeforeStartAndAfterStop_ThrowNotStartedAndStopped()
    {
        var nats = new NatsStreamFramework(_server.Options());

        var before = await Assert.ThrowsAsync<StreamFrameworkException>(() => nats.GetPartitionCountAsync("t").AsTask());
        await nats.StartAsync();
        await nats.StopAsync();
        var after = await Assert.ThrowsAsync<StreamFrameworkException>(() => nats.GetPartitionCountAsync("t").AsTask());
        var restart = await Assert.ThrowsAsync<StreamFrameworkException>(() => nats.StartAsync().AsTask());

        Assert.Equal(StreamErrorCode.NotStarted, before.Code);
        Assert.Equal(StreamErrorCode.Stopped, after.Code);
        Assert.Equal(StreamErrorCode.Stopped, restart.Code);
    }

    [Fact]
    public async Task ProduceMessagesAsync_KeyedMessages_LandOnStreamPartitionerPartitionsWithKeyHeadersAndOffsetsFromZero()
    {
        await using var nats = await _server.FrameworkAsync();
        var topic = NatsServer.Unique("batch");
        await nats.CreateStreamAsync(topic, 4);
        var messages = Enumerable.Range(0, 200).Select(i => new OutgoingMessage(Bytes($"key-{i % 13}"), Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), new RecordHeaders().Add("h", "v" + i))).ToArray();

        await nats.ProduceMessagesAsync(topic, messages);
        var single = await nats.ProduceMessageAsync(topic, new OutgoingMessage(Bytes("key-5"), Bytes("last")));

        var expected = new long[4];
        foreach (var message in messages)
        {
            expected[StreamPartitioner.ForKey(message.Key.Span, 4)]++;
        }

        expected[StreamPartitioner.ForKey(Bytes("key-5"), 4)]++;
        var watermarks = await nats.GetWatermarksAsync(topic);
        Assert.Equal(expected, watermarks.Select(w => w.High - w.Low));
        Assert.All(watermarks, w => Assert.Equal(0, w.Low));
        Assert.Equal(StreamPartitioner.ForKey(Bytes("key-5"), 4), single.Partition);

        var read = await DataWeaver.Testing.Contracts.StreamReadBack.ReadAllAsync(nats, topic);
        Assert.Equal(201, read.Count);
        var first = read.First(r => Encoding.UTF8.GetString(r.Value.Span) == "7");
        Assert.Equal("key-7", Encoding.UTF8.GetString(first.Key.Span));
        Assert.Equal("v7", first.Headers!.GetLastString("h"));
        Assert.All(read.GroupBy(r => r.Position.Partition), g => Assert.Equal(Enumerable.Range(0, g.Count()).Select(i => (long)i), g.Select(r => r.Position.Offset)));
    }

    [Fact]
    public async Task ConsumeStreamAsync_NewConsumerOfGroup_ResumesAtCommittedOffsetRedeliveringOnlyUncommitted()
    {
        await using var nats = await _server.FrameworkAsync();
        var topic = NatsServer.Unique("group");
        await nats.CreateStreamAsync(topic, 1);
        await nats.ProduceMessagesAsync(topic, Enumerable.Range(0, 10).Select(i => new OutgoingMessage(default, NatsServer.Json(i))).ToArray());
        var options = new StreamConsumerOptions { GroupId = "g1" };

        await using (var consumer = await nats.ConsumeStreamAsync(topic, options))
        {
            var taken = await TakeAsync(consumer, 6);
            await consumer.CommitAsync([taken[3].ResumePosition]); // offsets 0..3 handled
            Assert.Equal([new SourcePosition(0, 4)], await consumer.GetCommittedOffsetsAsync());
            var beyond = await Assert.ThrowsAsync<StreamFrameworkException>(() => consumer.CommitAsync([new SourcePosition(0, 99)]).AsTask());
            Assert.Equal(StreamErrorCode.InvalidOffset, beyond.Code);
        }

        await using var next = await nats.ConsumeStreamAsync(topic, options);
        var rest = await TakeAsync(next, 6);
        Assert.Equal([4L, 5, 6, 7, 8, 9], rest.Select(m => m.Offset));
    }

    private static async Task<List<StreamMessage>> TakeAsync(IStreamConsumer consumer, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = new List<StreamMessage>();
        while (result.Count < count && await consumer.WaitToConsumeAsync(timeout.Token))
        {
            while (result.Count < count && consumer.TryConsume(out var message))
            {
                result.Add(message);
            }
        }

        return result;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
