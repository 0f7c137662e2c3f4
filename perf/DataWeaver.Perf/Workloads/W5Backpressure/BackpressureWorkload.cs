using System.Diagnostics;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using DataWeaver.Connectors.Generator;
using DataWeaver.Perf.Harness;
using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Workloads.W5Backpressure;

/// <summary>
/// W5, backpressure: an unthrottled source stamps each record; the sink flushes batches of 1,000 records, each flush
/// taking 200 us. Bound: at most 5 batches read and not yet flushed (4 waiting, 1 in the sink) where a peer can be
/// bounded. Reports records/s, end-to-end latency percentiles and the peak working set above the run's start.
/// </summary>
internal sealed class BackpressureWorkload(long records) : Workload
{
    /// <summary>Batches that may wait before the sink (the one being flushed comes on top).</summary>
    public const int WaitingBatches = 4;

    private readonly FlushLog _log = new(records);

    public override string Name => "W5";

    public override string Title => "backpressure: unthrottled source, sink flushing 1,000 records in 200 us, bound of 4 batches";

    public override long Records => records;

    public override IEnumerable<PeerBench> Peers()
    {
        yield return Peer(PeerNames.RawLoop, RawLoop);
        yield return Peer(PeerNames.NaiveDataflow, () => DataflowAsync(bounded: false));
        yield return Peer(PeerNames.NaiveDataflowBounded, () => DataflowAsync(bounded: true));
        yield return Peer(PeerNames.Channels, ChannelsAsync);
        yield return Peer(PeerNames.Rx, () => RxAsync(observeOn: false));
        yield return Peer(PeerNames.RxObserveOn, () => RxAsync(observeOn: true));

        var pipeline = Pipeline.From(
                new GeneratorSource<Stamped>(_log.Stamp, new GeneratorOptions { Count = records }),
                new PipelineOptions { BatchSize = FlushLog.BatchSize, MaxInFlightRecords = (WaitingBatches + 1) * FlushLog.BatchSize })
            .To(new FlushingSink(_log), new StageOptions { Capacity = WaitingBatches * FlushLog.BatchSize })
            .Build();
        yield return Peer(PeerNames.DataWeaver, () => pipeline.RunAsync());
    }

    /// <summary>Times the run itself; percentiles and memory are read after the clock stopped.</summary>
    private PeerBench Peer(string name, Func<Task> run) => new(name, async _ =>
    {
        _log.Reset();
        Runner.FullCollect();
        var before = PeakMemory.Reset();
        var started = Stopwatch.GetTimestamp();
        await run();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var peak = PeakMemory.Peak();
        Check(_log.Flushed == records, $"{name} flushed {_log.Flushed} of {records} records");
        var extras = _log.Summary();
        extras["peakWorkingSetMiB"] = peak / (1 << 20);
        extras["peakWorkingSetGrowthMiB"] = (peak - before) / (1 << 20);
        return new Iteration(elapsed, extras);
    });

    /// <summary>The floor: one thread fills a batch, flushes it, and so on (no queue at all).</summary>
    private Task RawLoop()
    {
        var batch = new Stamped[FlushLog.BatchSize];
        for (long n = 0; n < records; n += batch.Length)
        {
            var count = (int)Math.Min(batch.Length, records - n);
            for (var i = 0; i < count; i++)
            {
                batch[i] = _log.Stamp(n + i);
            }

            _log.Flush(batch.AsSpan(0, count));
        }

        return Task.CompletedTask;
    }

    /// <summary>A BatchBlock of 1,000 into an ActionBlock; bounded: the BatchBlock holds the batch being filled, the ActionBlock 4 (the one flushing included).</summary>
    private async Task DataflowAsync(bool bounded)
    {
        var batcher = new BatchBlock<Stamped>(FlushLog.BatchSize, bounded ? new GroupingDataflowBlockOptions { BoundedCapacity = FlushLog.BatchSize } : new GroupingDataflowBlockOptions());
        var sink = new ActionBlock<Stamped[]>(batch => _log.Flush(batch), bounded ? new ExecutionDataflowBlockOptions { BoundedCapacity = WaitingBatches } : new ExecutionDataflowBlockOptions());
        batcher.LinkTo(sink, new DataflowLinkOptions { PropagateCompletion = true });
        for (long n = 0; n < records; n++)
        {
            var record = _log.Stamp(n);
            if (!bounded)
            {
                batcher.Post(record);
            }
            else if (!batcher.Post(record))
            {
                await batcher.SendAsync(record);
            }
        }

        batcher.Complete();
        await sink.Completion;
    }

    /// <summary>A bounded channel of 4 batches' worth of records; the sink task reads 1,000 at a time and flushes them.</summary>
    private async Task ChannelsAsync()
    {
        var channel = Channel.CreateBounded<Stamped>(new BoundedChannelOptions(WaitingBatches * FlushLog.BatchSize) { SingleReader = true, SingleWriter = true });
        var sink = Task.Run(async () =>
        {
            var batch = new Stamped[FlushLog.BatchSize];
            var count = 0;
            while (await channel.Reader.WaitToReadAsync())
            {
                while (channel.Reader.TryRead(out var record))
                {
                    batch[count++] = record;
                    if (count == batch.Length)
                    {
                        _log.Flush(batch);
                        count = 0;
                    }
                }
            }

            _log.Flush(batch.AsSpan(0, count));
        });

        var writer = channel.Writer;
        for (long n = 0; n < records; n++)
        {
            var record = _log.Stamp(n);
            if (!writer.TryWrite(record))
            {
                await writer.WriteAsync(record);
            }
        }

        writer.Complete();
        await sink;
    }

    /// <summary><c>Buffer(1000)</c> into the flushing subscriber; synchronous (the flush blocks the source) or after <c>ObserveOn</c> (unbounded).</summary>
    private async Task RxAsync(bool observeOn)
    {
        var subject = new Subject<Stamped>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var head = observeOn ? subject.ObserveOn(TaskPoolScheduler.Default) : subject;
        using var subscription = head.Buffer(FlushLog.BatchSize).Subscribe(
            batch => _log.Flush(System.Runtime.InteropServices.CollectionsMarshal.AsSpan((List<Stamped>)batch)),
            error => done.TrySetException(error),
            () => done.TrySetResult());
        for (long n = 0; n < records; n++)
        {
            subject.OnNext(_log.Stamp(n));
        }

        subject.OnCompleted();
        await done.Task;
    }
}
