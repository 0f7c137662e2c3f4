using System.Globalization;
using System.Text;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// The contract every <see cref="IStreamFramework"/> passes (the remarks of <see cref="IStreamFramework"/>): streams with
/// fixed partition counts, offsets from 0 per partition, produce by key through <see cref="StreamPartitioner"/>, keys,
/// values and headers kept, consumer groups resuming at their committed offsets, typed errors before start and after stop.
/// Subclass it with how to create your framework (<see cref="CreateFrameworkAsync"/>); xUnit runs every test below.
/// </summary>
public abstract class StreamFrameworkContractTests
{
    /// <summary>Creates a framework under test, not started.</summary>
    /// <returns>The framework.</returns>
    protected abstract ValueTask<IStreamFramework> CreateFrameworkAsync();

    /// <summary>Creates a stream for a test. The default calls <see cref="IStreamFramework.CreateStreamAsync"/>; override when your test servers create topics another way.</summary>
    /// <param name="framework">The started framework.</param>
    /// <param name="topic">The stream.</param>
    /// <param name="partitions">Its partition count.</param>
    /// <returns>A task that completes once the stream exists.</returns>
    protected virtual ValueTask CreateTopicAsync(IStreamFramework framework, string topic, int partitions)
    {
        ArgumentNullException.ThrowIfNull(framework);
        return framework.CreateStreamAsync(topic, partitions);
    }

    /// <summary>A stream exists with the partition count it was created with; creating it again with that count does nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task CreateStreamAsync_SameCountAgain_KeepsCountOtherCountAndUnknownTopicThrowTyped()
    {
        var framework = await StartAsync().ConfigureAwait(false);
        await using var stop = framework.ConfigureAwait(false);
        var topic = Unique("create");
        await CreateTopicAsync(framework, topic, 3).ConfigureAwait(false);

        await framework.CreateStreamAsync(topic, 3).ConfigureAwait(false);

        Assert.Equal(3, await framework.GetPartitionCountAsync(topic).ConfigureAwait(false));
        var other = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync(topic, 5).AsTask()).ConfigureAwait(false);
        var invalid = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync(Unique("zero"), 0).AsTask()).ConfigureAwait(false);
        var unknown = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.GetPartitionCountAsync(Unique("missing")).AsTask()).ConfigureAwait(false);
        Assert.Equal(StreamErrorCode.TopicAlreadyExists, other.Code);
        Assert.Equal(StreamErrorCode.InvalidPartitionCount, invalid.Code);
        Assert.Equal(StreamErrorCode.UnknownTopic, unknown.Code);
    }

    /// <summary>Every member throws <see cref="StreamErrorCode.NotStarted"/> before start and <see cref="StreamErrorCode.Stopped"/> after stop.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Members_BeforeStartAndAfterStop_ThrowNotStartedAndStopped()
    {
        var framework = await CreateFrameworkAsync().ConfigureAwait(false);
        await using (framework.ConfigureAwait(false))
        {
            var before = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.GetPartitionCountAsync("t").AsTask()).ConfigureAwait(false);
            await framework.StartAsync().ConfigureAwait(false);
            await framework.StopAsync().ConfigureAwait(false);
            var after = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.GetPartitionCountAsync("t").AsTask()).ConfigureAwait(false);
            var restart = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.StartAsync().AsTask()).ConfigureAwait(false);

            Assert.Equal(StreamErrorCode.NotStarted, before.Code);
            Assert.Equal(StreamErrorCode.Stopped, after.Code);
            Assert.Equal(StreamErrorCode.Stopped, restart.Code);
        }
    }

    /// <summary>
    /// A keyed batch lands on <see cref="StreamPartitioner.ForKey"/>'s partitions, offsets count from 0 in each, and
    /// key, value and headers read back unchanged in partition order.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task ProduceMessagesAsync_KeyedBatch_PartitionedByKeyOffsetsFromZeroBytesAndHeadersKept()
    {
        var framework = await StartAsync().ConfigureAwait(false);
        await using var stop = framework.ConfigureAwait(false);
        var topic = Unique("batch");
        await CreateTopicAsync(framework, topic, 4).ConfigureAwait(false);
        var messages = Enumerable.Range(0, 300)
            .Select(i => new OutgoingMessage(Bytes($"key-{i % 13}"), Bytes(Text(i)), new RecordHeaders().Add("n", Text(i))))
            .ToArray();

        await framework.ProduceMessagesAsync(topic, messages).ConfigureAwait(false);
        var single = await framework.ProduceMessageAsync(topic, new OutgoingMessage(Bytes("key-5"), Bytes("300"), new RecordHeaders().Add("n", "300"))).ConfigureAwait(false);

        var expected = new long[4];
        foreach (var message in messages)
        {
            expected[StreamPartitioner.ForKey(message.Key.Span, 4)]++;
        }

        expected[StreamPartitioner.ForKey(Bytes("key-5"), 4)]++;
        Assert.Equal(StreamPartitioner.ForKey(Bytes("key-5"), 4), single.Partition);
        Assert.Equal(expected, (await framework.GetWatermarksAsync(topic).ConfigureAwait(false)).Select(w => w.High - w.Low));
        var read = await StreamReadBack.ReadAllAsync(framework, topic).ConfigureAwait(false);
        Assert.Equal(301, read.Count);
        foreach (var partition in read.GroupBy(r => r.Position.Partition))
        {
            var values = partition.Select(r => int.Parse(Encoding.UTF8.GetString(r.Value.Span), CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(values.Order(), values); // produce order kept within the partition
            Assert.Equal(partition.First().Position.Offset + partition.Count() - 1, partition.Last().Position.Offset);
        }

        Assert.All(read, r =>
        {
            var n = int.Parse(Encoding.UTF8.GetString(r.Value.Span), CultureInfo.InvariantCulture);
            Assert.Equal(Text(n), r.Headers?.GetLastString("n"));
            Assert.Equal("key-" + Text(n == 300 ? 5 : n % 13), Encoding.UTF8.GetString(r.Key.Span));
        });
    }

    /// <summary>A new consumer of a group resumes at the group's committed offset; an offset beyond the partition's end is refused.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task ConsumeStreamAsync_NewConsumerOfGroup_ResumesAtCommittedOffset()
    {
        var framework = await StartAsync().ConfigureAwait(false);
        await using var stop = framework.ConfigureAwait(false);
        var topic = Unique("group");
        await CreateTopicAsync(framework, topic, 1).ConfigureAwait(false);
        await framework.ProduceMessagesAsync(topic, Enumerable.Range(0, 10).Select(i => new OutgoingMessage(default, Bytes(Text(i)))).ToArray()).ConfigureAwait(false);
        var options = new StreamConsumerOptions { GroupId = Unique("g") };

        var consumer = await framework.ConsumeStreamAsync(topic, options).ConfigureAwait(false);
        await using (consumer.ConfigureAwait(false))
        {
            var taken = await TakeAsync(consumer, 6).ConfigureAwait(false);
            await consumer.CommitAsync([taken[3].ResumePosition]).ConfigureAwait(false);
            Assert.Equal([new SourcePosition(0, 4)], await consumer.GetCommittedOffsetsAsync().ConfigureAwait(false));
        }

        var next = await framework.ConsumeStreamAsync(topic, options).ConfigureAwait(false);
        await using (next.ConfigureAwait(false))
        {
            var rest = await TakeAsync(next, 6).ConfigureAwait(false);
            Assert.Equal([4L, 5, 6, 7, 8, 9], rest.Select(m => m.Offset));
            Assert.Equal(["4", "5", "6", "7", "8", "9"], rest.Select(m => Encoding.UTF8.GetString(m.Value.Span)));
        }
    }

    /// <summary>A commit of an offset beyond the partition's end is refused with <see cref="StreamErrorCode.InvalidOffset"/>.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task CommitAsync_OffsetBeyondEnd_ThrowsInvalidOffset()
    {
        var framework = await StartAsync().ConfigureAwait(false);
        await using var stop = framework.ConfigureAwait(false);
        var topic = Unique("beyond");
        await CreateTopicAsync(framework, topic, 1).ConfigureAwait(false);
        await framework.ProduceMessagesAsync(topic, Enumerable.Range(0, 3).Select(i => new OutgoingMessage(default, Bytes(Text(i)))).ToArray()).ConfigureAwait(false);
        var consumer = await framework.ConsumeStreamAsync(topic, new StreamConsumerOptions { GroupId = Unique("g") }).ConfigureAwait(false);
        await using (consumer.ConfigureAwait(false))
        {
            await TakeAsync(consumer, 3).ConfigureAwait(false);
            var beyond = await Assert.ThrowsAsync<StreamFrameworkException>(() => consumer.CommitAsync([new SourcePosition(0, 99)]).AsTask()).ConfigureAwait(false);
            Assert.Equal(StreamErrorCode.InvalidOffset, beyond.Code);
        }
    }

    /// <summary>A stream name unique to one test.</summary>
    /// <param name="prefix">What the test is about.</param>
    /// <returns>The name.</returns>
    protected static string Unique(string prefix) => "dw-" + prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<IStreamFramework> StartAsync()
    {
        var framework = await CreateFrameworkAsync().ConfigureAwait(false);
        await framework.StartAsync().ConfigureAwait(false);
        return framework;
    }

    private static async Task<List<StreamMessage>> TakeAsync(IStreamConsumer consumer, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = new List<StreamMessage>();
        while (result.Count < count && await consumer.WaitToConsumeAsync(timeout.Token).ConfigureAwait(false))
        {
            while (result.Count < count && consumer.TryConsume(out var message))
            {
                result.Add(message);
            }
        }

        return result;
    }

    private static string Text(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
