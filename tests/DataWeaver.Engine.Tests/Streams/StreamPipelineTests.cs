using System.Text;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;
using static DataWeaver.Tests.Streams.StreamTestHelpers;

namespace DataWeaver.Tests.Streams;

public sealed class StreamPipelineTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RunAsync_StreamSourceMapStreamSink_Moves200000MessagesAcross4PartitionsWithoutLossOrDuplicates()
    {
        const int Total = 200_000;
        const int Partitions = 4;
        await using var framework = await StartAsync(new InProcessStreamOptions { PartitionCapacity = 8192 });
        await framework.CreateStreamAsync("in", Partitions);
        await framework.CreateStreamAsync("out", Partitions);
        var group = new StreamConsumerOptions { GroupId = "mirror" };
        await (await framework.ConsumeStreamAsync("in", group)).DisposeAsync(); // the group holds "in" back from the first message on
        await using var verifier = await framework.ConsumeStreamAsync("out", new StreamConsumerOptions { GroupId = "verify" });

        var pipeline = Pipeline.From(new StreamSource(framework, "in", group), new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(10) })
            .Map(record => record.WithValue<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes("m" + Encoding.UTF8.GetString(record.Value.Span))))
            .To(new StreamSink(framework, "out"))
            .Build();
        var run = pipeline.Start();
        var producer = Task.Run(async () =>
        {
            var batch = new OutgoingMessage[1000];
            for (var i = 0; i < Total; i += batch.Length)
            {
                for (var j = 0; j < batch.Length; j++)
                {
                    batch[j] = new OutgoingMessage(Bytes($"key-{(i + j) % 997}"), Bytes((i + j).ToString()));
                }

                await framework.ProduceMessagesAsync("in", batch);
            }
        });

        using var timeout = new CancellationTokenSource(Guard);
        var received = new List<StreamMessage>(Total);
        while (received.Count < Total)
        {
            var before = received.Count;
            received.AddRange(await TakeAsync(verifier, 1, timeout.Token));
            received.AddRange(Drain(verifier));
            await verifier.CommitAsync(received.Skip(before).GroupBy(m => m.Partition).Select(g => g.Last().ResumePosition).ToList());
        }

        await producer;
        await run.StopAsync();

        // 0 lost, 0 duplicated: every value once, and nothing more on "out".
        Assert.Equal(Total, received.Count);
        Assert.Equal(Total, received.Select(m => Text(m.Value)).Distinct().Count());
        Assert.All(received, m => Assert.StartsWith("m", Text(m.Value), StringComparison.Ordinal));
        Assert.Equal(Total, (await framework.GetWatermarksAsync("out")).Sum(w => w.High));
        Assert.Equal(Total, run.Statistics.RecordsWritten);

        // Order per partition: each key keeps its partition, and a partition's values increase as produced.
        foreach (var partition in received.GroupBy(m => m.Partition))
        {
            var values = partition.Select(m => int.Parse(Text(m.Value)[1..])).ToList();
            Assert.Equal(values.Order(), values);
            Assert.All(partition, m => Assert.Equal(partition.Key, StreamPartitioner.ForKey(m.Key.Span, Partitions)));
        }

        // The drain committed the final offsets of every partition of "in".
        await using var check = await framework.ConsumeStreamAsync("in", group);
        var committed = await check.GetCommittedOffsetsAsync();
        var watermarks = await framework.GetWatermarksAsync("in");
        Assert.Equal(watermarks.Select(w => new SourcePosition(w.Partition, w.High)), committed);
        Assert.Equal(Total, committed.Sum(c => c.Offset));
        Assert.False(check.TryConsume(out _));
    }

    [Fact]
    public async Task StopAsync_Drain_CommitsFinalOffsetsSoNextRunReadsOnlyNewMessages()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("in", 2);
        for (var i = 0; i < 1000; i++)
        {
            await framework.ProduceMessageAsync("in", $"k{i % 10}", i.ToString());
        }

        var options = new PipelineOptions { CommitInterval = Timeout.InfiniteTimeSpan };
        var source = new StreamSource(framework, "in");
        var firstSink = new CountingSink(1000);
        var first = Pipeline.From(source, options).To(firstSink).Build().Start();
        await firstSink.Reached.WaitAsync(Guard);
        await first.StopAsync();

        for (var i = 1000; i < 1010; i++)
        {
            await framework.ProduceMessageAsync("in", $"k{i % 10}", i.ToString());
        }

        var secondSink = new CountingSink(10);
        var second = Pipeline.From(source, options).To(secondSink).Build().Start();
        await secondSink.Reached.WaitAsync(Guard);
        await second.StopAsync();

        Assert.Equal(1000, firstSink.Records.Count);
        Assert.Equal(Enumerable.Range(1000, 10).Select(i => i.ToString()).Order(), secondSink.Records.Select(r => r.Value).Order());
        Assert.Equal(1000, first.AcknowledgedPositions.Sum(p => p.Offset));
        await using var check = await framework.ConsumeStreamAsync("in");
        Assert.Equal(1010, (await check.GetCommittedOffsetsAsync()).Sum(p => p.Offset));
    }

    [Fact]
    public async Task Abort_WithoutCommit_NextRunRedeliversUncommittedMessages()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("in");
        for (var i = 0; i < 100; i++)
        {
            await framework.ProduceMessageAsync("in", null, i.ToString());
        }

        await using (var consumer = await framework.ConsumeStreamAsync("in"))
        {
            await consumer.CommitAsync([new SourcePosition(0, 40)]);
        }

        // A sink that never acknowledges: nothing of this run can be committed.
        var stuck = new StuckSink();
        var run = Pipeline.From(new StreamSource(framework, "in"), new PipelineOptions { CommitInterval = Timeout.InfiniteTimeSpan }).To(stuck).Build().Start();
        await stuck.Written.WaitAsync(Guard);
        run.Abort();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion);

        var sink = new CountingSink(60);
        var again = Pipeline.From(new StreamSource(framework, "in")).To(sink).Build().Start();
        await sink.Reached.WaitAsync(Guard);
        await again.StopAsync();

        Assert.Equal(Enumerable.Range(40, 60).Select(i => i.ToString()), sink.Records.Select(r => r.Value));
        Assert.Equal(Enumerable.Range(40, 60).Select(i => new SourcePosition(0, i)), sink.Records.Select(r => r.Position));
    }

    private sealed class StuckSink : DataWeaver.Connectors.SinkConnector<Record<ReadOnlyMemory<byte>>>
    {
        private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Written => _written.Task;

        public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            _written.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
