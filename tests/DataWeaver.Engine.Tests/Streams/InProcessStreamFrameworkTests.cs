using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;
using static DataWeaver.Tests.Streams.StreamTestHelpers;

namespace DataWeaver.Tests.Streams;

public sealed class InProcessStreamFrameworkTests
{
    [Fact]
    public async Task ProduceMessageAsync_ThenConsume_ReturnsMessagesWithOffsetsKeyValueHeadersAndTimestamp()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var framework = await StartAsync(new InProcessStreamOptions { TimeProvider = clock });
        await framework.CreateStreamAsync("orders");

        var first = await framework.ProduceMessageAsync("orders", Bytes("k"), Bytes("v0"), new RecordHeaders().Add("h", "x"));
        var second = await framework.ProduceMessageAsync("orders", "k", "v1");
        await using var consumer = await framework.ConsumeStreamAsync("orders");
        var messages = Drain(consumer);

        Assert.Equal(new StreamDeliveryResult("orders", 0, 0, clock.Now), first);
        Assert.Equal(1, second.Offset);
        Assert.Equal(2, messages.Count);
        Assert.Equal(["v0", "v1"], messages.Select(m => Text(m.Value)));
        Assert.Equal([0L, 1L], messages.Select(m => m.Offset));
        Assert.All(messages, m => Assert.Equal("k", Text(m.Key)));
        Assert.Equal("x", messages[0].Headers!.GetLastString("h"));
        Assert.Null(messages[1].Headers);
        Assert.Equal(clock.Now, messages[0].Timestamp);
        Assert.Equal(new SourcePosition(0, 1), messages[0].ToRecord().Position with { Offset = messages[0].Offset + 1 });
        Assert.Equal(new SourcePosition(0, 2), messages[1].ResumePosition);
    }

    [Fact]
    public async Task ProduceMessageAsync_CallerReusesBuffer_StoredBytesUnchanged()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t");
        var buffer = Bytes("before");

        await framework.ProduceMessageAsync("t", ReadOnlyMemory<byte>.Empty, buffer);
        "after!"u8.CopyTo(buffer);
        await using var consumer = await framework.ConsumeStreamAsync("t");

        Assert.Equal("before", Text(Drain(consumer).Single().Value));
    }

    [Fact]
    public async Task CreateStreamAsync_BadPartitionCount_ThrowsInvalidPartitionCount()
    {
        await using var framework = await StartAsync();

        var zero = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync("t", 0).AsTask());
        var tooMany = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync("t", InProcessStreamOptions.MaxPartitions + 1).AsTask());

        Assert.Equal(StreamErrorCode.InvalidPartitionCount, zero.Code);
        Assert.Equal(StreamErrorCode.InvalidPartitionCount, tooMany.Code);
        Assert.Contains("'t'", zero.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorClass.Fatal, zero.ErrorClass);
    }

    [Fact]
    public async Task CreateStreamAsync_ExistsWithOtherPartitionCount_ThrowsTopicAlreadyExists()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t", 2);

        await framework.CreateStreamAsync("t", 2);
        var error = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync("t", 3).AsTask());

        Assert.Equal(StreamErrorCode.TopicAlreadyExists, error.Code);
        Assert.Equal(2, await framework.GetPartitionCountAsync("t"));
    }

    [Fact]
    public async Task ProduceMessageAsync_UnknownTopic_ThrowsUnknownTopicNamingIt()
    {
        await using var framework = await StartAsync();

        var error = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.ProduceMessageAsync("missing", "k", "v").AsTask());
        var consume = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.ConsumeStreamAsync("missing").AsTask());

        Assert.Equal(StreamErrorCode.UnknownTopic, error.Code);
        Assert.Equal("missing", error.Topic);
        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
        Assert.Equal(StreamErrorCode.UnknownTopic, consume.Code);
    }

    [Fact]
    public async Task ProduceMessageAsync_UnknownExplicitPartition_ThrowsUnknownPartition()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t", 2);

        var error = await Assert.ThrowsAsync<StreamFrameworkException>(
            () => framework.ProduceMessageAsync("t", new OutgoingMessage(default, Bytes("v")) { Partition = 2 }).AsTask());

        Assert.Equal(StreamErrorCode.UnknownPartition, error.Code);
        Assert.Equal(2, error.Partition);
    }

    [Fact]
    public async Task ProduceMessageAsync_OversizedMessage_ThrowsDataErrorNamingTopicAndPartition()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { MaxMessageBytes = 10 });
        await framework.CreateStreamAsync("t", 4);

        var error = await Assert.ThrowsAsync<StreamFrameworkException>(
            () => framework.ProduceMessageAsync("t", new OutgoingMessage(default, new byte[11]) { Partition = 3 }).AsTask());
        await framework.ProduceMessageAsync("t", new OutgoingMessage(Bytes("k"), new byte[9]));

        Assert.Equal(StreamErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(ErrorClass.Data, error.ErrorClass);
        Assert.Equal(("t", 3), (error.Topic, error.Partition));
        Assert.Contains("'t' partition 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await framework.GetWatermarksAsync("t")).Sum(w => w.High));
    }

    [Fact]
    public async Task ProduceMessagesAsync_OneOversizedMessage_RejectsWholeBatch()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { MaxMessageBytes = 10 });
        await framework.CreateStreamAsync("t");
        OutgoingMessage[] batch = [new(default, new byte[1]), new(default, new byte[11]), new(default, new byte[1])];

        await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.ProduceMessagesAsync("t", batch).AsTask());

        Assert.Equal(0, (await framework.GetWatermarksAsync("t")).Single().High);
    }

    [Fact]
    public async Task Operations_BeforeStartAndAfterStop_ThrowNotStartedAndStopped()
    {
        var framework = new InProcessStreamFramework();
        var before = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.CreateStreamAsync("t").AsTask());
        await framework.StartAsync();
        await framework.CreateStreamAsync("t");
        await framework.StopAsync();
        var after = await Assert.ThrowsAsync<StreamFrameworkException>(() => framework.ProduceMessageAsync("t", "k", "v").AsTask());

        Assert.Equal(StreamErrorCode.NotStarted, before.Code);
        Assert.Equal(StreamErrorCode.Stopped, after.Code);
    }

    [Fact]
    public void Murmur2_KafkaReferenceVectors_MatchJavaClient()
    {
        Assert.Equal(-973932308, StreamPartitioner.Murmur2("21"u8));
        Assert.Equal(-790332482, StreamPartitioner.Murmur2("foobar"u8));
        Assert.Equal(-985981536, StreamPartitioner.Murmur2("a-little-bit-long-string"u8));
        Assert.Equal(-1486304829, StreamPartitioner.Murmur2("a-little-bit-longer-string"u8));
        Assert.Equal(-58897971, StreamPartitioner.Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"u8));
        Assert.Equal(479470107, StreamPartitioner.Murmur2("abc"u8));
    }

    [Fact]
    public async Task ProduceMessageAsync_ByKey_SameKeySamePartitionInOrder()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t", 4);

        for (var i = 0; i < 400; i++)
        {
            var result = await framework.ProduceMessageAsync("t", $"key-{i % 20}", i.ToString());
            Assert.Equal(StreamPartitioner.ForKey(Bytes($"key-{i % 20}"), 4), result.Partition);
        }

        await using var consumer = await framework.ConsumeStreamAsync("t");
        var messages = Drain(consumer);

        Assert.Equal(400, messages.Count);
        foreach (var byKey in messages.GroupBy(m => Text(m.Key)))
        {
            Assert.Single(byKey.Select(m => m.Partition).Distinct());
            var values = byKey.Select(m => int.Parse(Text(m.Value))).ToList();
            Assert.Equal(values.Order(), values);
        }

        Assert.True(messages.Select(m => m.Partition).Distinct().Count() > 1);
    }

    [Fact]
    public async Task ProduceMessageAsync_NoKey_RoundRobinsPartitions()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t", 3);

        var partitions = new List<int>();
        for (var i = 0; i < 9; i++)
        {
            partitions.Add((await framework.ProduceMessageAsync("t", null, "v")).Partition);
        }

        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2], partitions);
    }

    [Fact]
    public async Task ConsumeStreamAsync_NewConsumerOfGroup_ResumesAtCommittedOffsetRedeliveringOnlyUncommitted()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t", 2);
        for (var i = 0; i < 20; i++)
        {
            await framework.ProduceMessageAsync("t", new OutgoingMessage(default, Bytes(i.ToString())) { Partition = i % 2 });
        }

        var first = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "g" });
        var read = Drain(first);
        var handled = read.Where(m => m.Offset < 4).ToList(); // offsets 0..3 of each partition handled
        await first.CommitAsync([handled.Last(m => m.Partition == 0).ResumePosition, handled.Last(m => m.Partition == 1).ResumePosition]);
        await first.DisposeAsync();

        await using var second = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "g" });
        var reread = Drain(second);

        Assert.Equal(20, read.Count);
        Assert.Equal(12, reread.Count);
        Assert.All(reread, m => Assert.True(m.Offset >= 4));
        Assert.Equal(20, handled.Concat(reread).Select(m => Text(m.Value)).Distinct().Count());
        Assert.Equal([new SourcePosition(0, 4), new SourcePosition(1, 4)], await second.GetCommittedOffsetsAsync());
    }

    [Fact]
    public async Task ConsumeStreamAsync_OtherGroups_ReadIndependentlyAndHoldBackTrimming()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t");
        for (var i = 0; i < 5; i++)
        {
            await framework.ProduceMessageAsync("t", null, i.ToString());
        }

        await using var a = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "a" });
        await using var b = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "b" });
        await using var latest = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "latest", StartFrom = StreamStartPosition.Latest });
        await a.CommitAsync([Drain(a).Last().ResumePosition]);

        Assert.Equal(5, Drain(b).Count);
        Assert.Empty(Drain(latest));
        Assert.Equal(new PartitionWatermarks(0, 0, 5), (await framework.GetWatermarksAsync("t")).Single());
    }

    [Fact]
    public async Task ConsumeStreamAsync_TwoConsumersInGroup_SplitPartitionsByRangeAndRebalanceOnLeave()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t", 5);
        for (var i = 0; i < 50; i++)
        {
            await framework.ProduceMessageAsync("t", new OutgoingMessage(default, Bytes(i.ToString())) { Partition = i % 5 });
        }

        var options = new StreamConsumerOptions { GroupId = "g" };
        var one = await framework.ConsumeStreamAsync("t", options);
        await using var two = await framework.ConsumeStreamAsync("t", options);

        Assert.Equal([0, 1, 2], one.Assignment);
        Assert.Equal([3, 4], two.Assignment);
        var fromOne = Drain(one);
        var fromTwo = Drain(two);
        Assert.Equal(30, fromOne.Count);
        Assert.Equal(20, fromTwo.Count);
        Assert.Empty(fromOne.Select(m => m.Value.ToArray()).Intersect(fromTwo.Select(m => m.Value.ToArray())));
        Assert.All(fromOne, m => Assert.InRange(m.Partition, 0, 2));
        await one.CommitAsync([new SourcePosition(0, 10), new SourcePosition(1, 10), new SourcePosition(2, 5)]);

        await one.DisposeAsync();

        Assert.Equal([0, 1, 2, 3, 4], two.Assignment);
        var takenOver = Drain(two);
        Assert.Equal(5, takenOver.Count);
        Assert.All(takenOver, m => Assert.Equal(2, m.Partition));
        Assert.Equal(Enumerable.Range(5, 5).Select(o => (long)o), takenOver.Select(m => m.Offset));
    }

    [Fact]
    public async Task CommitAsync_OffsetBeyondEnd_ThrowsInvalidOffset()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t");
        await framework.ProduceMessageAsync("t", null, "v");
        await using var consumer = await framework.ConsumeStreamAsync("t");

        var error = await Assert.ThrowsAsync<StreamFrameworkException>(() => consumer.CommitAsync([new SourcePosition(0, 2)]).AsTask());
        var unknown = await Assert.ThrowsAsync<StreamFrameworkException>(() => consumer.CommitAsync([new SourcePosition(1, 0)]).AsTask());

        Assert.Equal(StreamErrorCode.InvalidOffset, error.Code);
        Assert.Equal(StreamErrorCode.UnknownPartition, unknown.Code);
    }

    [Fact]
    public async Task ProduceMessageAsync_PartitionFull_WaitsUntilEveryGroupCommitsThenTrims()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 8 });
        await framework.CreateStreamAsync("t");
        await using var fast = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "fast" });
        await using var slow = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "slow" });

        var produced = new List<ValueTask<StreamDeliveryResult>>();
        for (var i = 0; i < 12; i++)
        {
            produced.Add(framework.ProduceMessageAsync("t", null, i.ToString()));
        }

        Assert.Equal(8, produced.Count(p => p.IsCompleted));
        Assert.False(produced[8].IsCompleted);

        var fastRead = Drain(fast);
        await fast.CommitAsync([fastRead.Last().ResumePosition]);
        Assert.Equal(8, fastRead.Count);
        Assert.Equal(8, produced.Count(p => p.IsCompleted));

        var slowRead = await TakeAsync(slow, 3);
        await slow.CommitAsync([slowRead.Last().ResumePosition]);
        var watermarks = (await framework.GetWatermarksAsync("t")).Single();
        Assert.Equal(3, watermarks.Low);

        var results = new List<StreamDeliveryResult>();
        foreach (var p in produced)
        {
            if (results.Count < 11)
            {
                results.Add(await p);
            }
        }

        Assert.Equal(Enumerable.Range(0, 11).Select(o => (long)o), results.Select(r => r.Offset));
        Assert.False(produced[11].IsCompleted);
        Assert.Equal(new PartitionWatermarks(0, 3, 11), (await framework.GetWatermarksAsync("t")).Single());

        await slow.CommitAsync([new SourcePosition(0, 4)]);
        Assert.Equal(11, (await produced[11]).Offset);
    }

    [Fact]
    public async Task ProduceMessageAsync_ManyWaitingForRoom_StoredInProduceOrder()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 2 });
        await framework.CreateStreamAsync("t");
        await using var consumer = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "g" });

        var produced = new List<ValueTask<StreamDeliveryResult>>();
        for (var i = 0; i < 40; i++)
        {
            produced.Add(framework.ProduceMessageAsync("t", null, i.ToString()));
        }

        var read = new List<string>();
        while (read.Count < 40)
        {
            var message = (await TakeAsync(consumer, 1)).Single();
            read.Add(Text(message.Value));
            await consumer.CommitAsync([message.ResumePosition]);
        }

        var offsets = new List<long>();
        foreach (var p in produced)
        {
            offsets.Add((await p).Offset);
        }

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i.ToString()), read);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task ProduceMessageAsync_WaitingThenCancelled_LaterProducesStillStored()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 1 });
        await framework.CreateStreamAsync("t");
        await using var consumer = await framework.ConsumeStreamAsync("t", new StreamConsumerOptions { GroupId = "g" });
        await framework.ProduceMessageAsync("t", null, "0");
        using var cancel = new CancellationTokenSource();

        var cancelled = framework.ProduceMessageAsync("t", null, "withdrawn", cancel.Token);
        var later = framework.ProduceMessageAsync("t", null, "1");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask());
        var first = (await TakeAsync(consumer, 1)).Single();
        await consumer.CommitAsync([first.ResumePosition]);
        var second = (await TakeAsync(consumer, 1)).Single();

        Assert.Equal("1", Text(second.Value));
        Assert.Equal(1, (await later).Offset);
    }

    [Fact]
    public async Task ProduceMessageAsync_PartitionFullWithoutGroups_WaitsUntilAGroupCommitsAndLosesNothing()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 4 });
        await framework.CreateStreamAsync("t");
        for (var i = 0; i < 4; i++)
        {
            await framework.ProduceMessageAsync("t", null, i.ToString());
        }

        var fifth = framework.ProduceMessageAsync("t", null, "4").AsTask();
        Assert.False(fifth.IsCompleted);
        await using var consumer = await framework.ConsumeStreamAsync("t");
        var first = Drain(consumer);
        await consumer.CommitAsync([first.Last().ResumePosition]);
        await fifth;

        Assert.Equal(["0", "1", "2", "3"], first.Select(m => Text(m.Value)));
        Assert.Equal(["4"], Drain(consumer).Select(m => Text(m.Value)));
    }

    [Fact]
    public async Task ProduceMessageAsync_WaitingForRoomCancelled_ThrowsAndStoresNothing()
    {
        await using var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 1 });
        await framework.CreateStreamAsync("t");
        await using var consumer = await framework.ConsumeStreamAsync("t");
        await framework.ProduceMessageAsync("t", null, "0");
        using var cts = new CancellationTokenSource();

        var waiting = framework.ProduceMessageAsync("t", null, "1", cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask());
        Assert.Equal(1, (await framework.GetWatermarksAsync("t")).Single().High);
    }

    [Fact]
    public async Task WaitToConsumeAsync_MessageProducedLater_CompletesWithTrue()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t");
        await using var consumer = await framework.ConsumeStreamAsync("t");

        var wait = consumer.WaitToConsumeAsync().AsTask();
        Assert.False(wait.IsCompleted);
        await framework.ProduceMessageAsync("t", null, "v");

        Assert.True(await wait);
        Assert.True(consumer.TryConsume(out var message));
        Assert.Equal("v", Text(message.Value));
    }

    [Fact]
    public async Task WaitToConsumeAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t");
        await using var consumer = await framework.ConsumeStreamAsync("t");
        using var cts = new CancellationTokenSource();

        var wait = consumer.WaitToConsumeAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task StopAsync_WaitingConsumerAndProducer_AreReleased()
    {
        var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 1 });
        await framework.CreateStreamAsync("t", 2);
        await using var consumer = await framework.ConsumeStreamAsync("t");
        await framework.ProduceMessageAsync("t", new OutgoingMessage(default, Bytes("0")) { Partition = 1 });
        Drain(consumer);
        var wait = consumer.WaitToConsumeAsync().AsTask();
        var produce = framework.ProduceMessageAsync("t", new OutgoingMessage(default, Bytes("1")) { Partition = 1 }).AsTask();

        await framework.StopAsync();

        Assert.False(await wait);
        var error = await Assert.ThrowsAsync<StreamFrameworkException>(() => produce);
        Assert.Equal(StreamErrorCode.Stopped, error.Code);
    }

    [Fact]
    public async Task ConsumeStream_LoopBreaksAfterThree_CommitsTheHandledTwo()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("t");
        for (var i = 0; i < 5; i++)
        {
            await framework.ProduceMessageAsync("t", null, i.ToString());
        }

        var seen = new List<string>();
        await foreach (var message in framework.ConsumeStream("t"))
        {
            seen.Add(Text(message.Value));
            if (seen.Count == 3)
            {
                break;
            }
        }

        await using var next = await framework.ConsumeStreamAsync("t");
        Assert.Equal(["0", "1", "2"], seen);
        Assert.Equal(["2", "3", "4"], Drain(next).Select(m => Text(m.Value)));
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
