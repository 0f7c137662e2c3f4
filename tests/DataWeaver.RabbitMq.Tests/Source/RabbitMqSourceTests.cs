using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.RabbitMq.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Testing.Sequences;

namespace DataWeaver.RabbitMq.Tests.Source;

/// <summary>The RabbitMQ source against a real broker: restarts lose nothing, poison is dead-lettered and acknowledged, the unacknowledged stay within the bound.</summary>
public sealed class RabbitMqSourceTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private static PipelineOptions Options(int bound) => new() { Name = "rabbitmq-test", BatchSize = 16, MaxInFlightRecords = bound, DefaultStageCapacity = 16, CommitInterval = TimeSpan.Zero };

    [Fact]
    public async Task Restart_PipelineAbortedMidStream_NothingLostDuplicatesWithinTheBound()
    {
        const int Count = 3_000;
        const int Bound = 128;
        var queue = RabbitMqBroker.UniqueName("restart");
        await RabbitMqBroker.CreateQueueAsync(queue);
        await RabbitMqBroker.PublishAsync(queue, Enumerable.Range(0, Count).Select(i => RabbitMqBroker.Json(i)));
        var options = new RabbitMqSourceOptions { Connection = RabbitMqBroker.Connection(), Queue = queue };

        var first = new CollectionSink<Record<ReadOnlyMemory<byte>>>("first");
        var run = RabbitMqPipelineExtensions.FromRabbitMq(options, Options(Bound)).To(first).Build().Start();
        await WaitUntilAsync(() => first.Count >= Count / 3, run.Completion);
        run.Abort(); // as a crash: nothing drained, nothing committed after this point
        await Assert.ThrowsAnyAsync<Exception>(() => run.Completion).WaitAsync(Guard).ContinueWith(_ => { }, TaskScheduler.Default);

        var second = new CollectionSink<Record<ReadOnlyMemory<byte>>>("second");
        var rerun = RabbitMqPipelineExtensions.FromRabbitMq(options, Options(Bound)).To(second).Build().Start();
        var firstIds = first.Records.Select(r => RabbitMqBroker.Id(r.Value.Span)).ToList();
        await WaitUntilAsync(() => firstIds.Concat(second.Records.Select(r => RabbitMqBroker.Id(r.Value.Span))).Distinct().Count() >= Count, rerun.Completion);
        await rerun.StopAsync();

        var secondRecords = second.Records;
        var report = SequenceChecker.Check([.. firstIds, .. secondRecords.Select(r => RabbitMqBroker.Id(r.Value.Span))], Count);
        Assert.Equal(0, report.Lost);
        Assert.True(report.Duplicated <= Bound, $"{report.Duplicated} duplicates after one abort; the in-flight bound is {Bound}.");
        Assert.All(secondRecords.Where(r => firstIds.Contains(RabbitMqBroker.Id(r.Value.Span))), r => Assert.Equal("true", r.Headers?.GetLastString("rabbitmq.redelivered")));
        Assert.Equal(0u, await RabbitMqBroker.ReadyAsync(queue));
    }

    [Fact]
    public async Task Poison_OversizedMessage_DeadLetteredWithCoordinatesAndAcknowledged()
    {
        var queue = RabbitMqBroker.UniqueName("poison");
        await RabbitMqBroker.CreateQueueAsync(queue);
        var poison = Enumerable.Repeat((byte)'p', 500).ToArray();
        await RabbitMqBroker.PublishAsync(queue, [RabbitMqBroker.Json(0), RabbitMqBroker.Json(1), poison, RabbitMqBroker.Json(2)]);
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var source = new RabbitMqSource(new RabbitMqSourceOptions { Connection = RabbitMqBroker.Connection(), Queue = queue, MaxMessageBytes = 100 });

        var run = Pipeline.From(source, Options(64)).OnError(e => e.DeadLetterTo(letters)).To(sink).Build().Start();
        await WaitUntilAsync(() => sink.Count >= 3 && letters.Count >= 1, run.Completion);
        await run.StopAsync();

        var letter = Assert.Single(letters.Records);
        Assert.Equal(poison, letter.Payload.ToArray());
        Assert.Equal(new SourcePosition(0, 3), letter.Position); // the first channel, delivery tag 3
        Assert.Equal(ErrorClass.Data, letter.ErrorClass);
        Assert.Equal("rabbitmq:" + queue, letter.Source);
        Assert.Equal("0", letter.Headers.GetLastString(DeadLetterHeaders.SourcePartition));
        Assert.Equal("3", letter.Headers.GetLastString(DeadLetterHeaders.SourceOffset));
        Assert.Equal([0L, 1, 2], sink.Records.Select(r => RabbitMqBroker.Id(r.Value.Span)));
        Assert.Equal(0u, await RabbitMqBroker.ReadyAsync(queue)); // acknowledged: after the consumer closed, nothing was requeued
    }

    [Fact]
    public async Task Read_SlowSink_UnacknowledgedNeverAboveTheBoundAndTheBrokerHoldsTheRest()
    {
        const int Count = 2_000;
        const int Bound = 64;
        var queue = RabbitMqBroker.UniqueName("slow");
        await RabbitMqBroker.CreateQueueAsync(queue);
        await RabbitMqBroker.PublishAsync(queue, Enumerable.Range(0, Count).Select(i => RabbitMqBroker.Json(i)));
        var sink = new GatedSink();
        var pipeline = RabbitMqPipelineExtensions.FromRabbitMq(new RabbitMqSourceOptions { Connection = RabbitMqBroker.Connection(), Queue = queue }, Options(Bound)).To(sink).Build();
        var source = (RabbitMqSource)pipeline.Source;
        Assert.Equal(Bound, source.PrefetchCount); // tied to the pipeline's in-flight bound
        var run = pipeline.Start();

        long maxUnacknowledged = 0;
        var minimumHeld = long.MaxValue;
        for (var step = 0; step < 10; step++)
        {
            await WaitUntilAsync(() => sink.Waiting, run.Completion);
            await Task.Delay(50); // let the broker hand out whatever it will
            maxUnacknowledged = Math.Max(maxUnacknowledged, source.Unacknowledged);
            var ready = await RabbitMqBroker.ReadyAsync(queue);
            minimumHeld = Math.Min(minimumHeld, ready - (Count - sink.Count - Bound)); // the broker holds all but the bound
            sink.Release();
        }

        sink.Open();
        await WaitUntilAsync(() => sink.Count >= Count, run.Completion);
        await run.StopAsync();

        Assert.True(maxUnacknowledged <= Bound, $"{maxUnacknowledged} unacknowledged sampled; the bound is {Bound}.");
        Assert.True(source.PeakUnacknowledged <= Bound, $"{source.PeakUnacknowledged} unacknowledged at the peak (counted at every delivery); the bound is {Bound}.");
        Assert.True(source.PeakUnacknowledged > 0);
        Assert.True(minimumHeld >= 0, "The broker held fewer messages than all but the bound.");
        Assert.Equal(0, SequenceChecker.Check(sink.Ids, Count).Lost);
        Assert.Equal(0u, await RabbitMqBroker.ReadyAsync(queue));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task completion)
    {
        var start = DateTime.UtcNow;
        while (!condition())
        {
            if (completion.IsCompleted)
            {
                await completion;
                Assert.True(condition(), "The run ended before the condition held.");
                return;
            }

            Assert.True(DateTime.UtcNow - start < Guard, "Timed out (guard).");
            await Task.Delay(10);
        }
    }

    /// <summary>Writes one batch each time it is released (or all once opened).</summary>
    private sealed class GatedSink() : SinkConnector<Record<ReadOnlyMemory<byte>>>("gated")
    {
        private readonly SemaphoreSlim _gate = new(0);
        private readonly List<long> _ids = [];
        private volatile bool _open;
        private volatile bool _waiting;

        public bool Waiting => _waiting;

        public int Count
        {
            get
            {
                lock (_ids)
                {
                    return _ids.Count;
                }
            }
        }

        public List<long> Ids
        {
            get
            {
                lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public void Release() => _gate.Release();

        public void Open()
        {
            _open = true;
            _gate.Release(1000);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            if (!_open)
            {
                _waiting = true;
                await _gate.WaitAsync(cancellationToken);
                _waiting = false;
            }

            lock (_ids)
            {
                foreach (var record in batch.Span)
                {
                    _ids.Add(RabbitMqBroker.Id(record.Value.Span));
                }
            }
        }
    }
}
