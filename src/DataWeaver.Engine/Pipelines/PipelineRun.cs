using System.Diagnostics.CodeAnalysis;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Diagnostics;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Internal;
using DataWeaver.Internal.Plan;
using DataWeaver.Internal.Runtime;
using DataWeaver.Lifecycle;
using DataWeaver.Records;

namespace DataWeaver.Pipelines;

/// <summary>
/// One run of a <see cref="Pipeline"/>: started by <see cref="Pipeline.Start"/>, ended by the source running
/// out of records, by <see cref="StopAsync"/> (drain), by <see cref="Abort"/> or the start token (abort), or by
/// a failure. <see cref="PauseAsync"/> and <see cref="Resume"/> hold and continue its source in between. Its
/// <see cref="State"/> follows the state model of <see cref="PipelineStates"/> (docs/lifecycle.md).
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The run disposes what it owns when it completes; a run has no other end.")]
public sealed class PipelineRun
{
    private readonly RunContext _run;
    private readonly SourcePlan _plan;
    private readonly IReadOnlyList<Connector> _sinks;
    private readonly CapacityGate _gate;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private readonly Dictionary<int, long> _committed = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _advanced = new(0, 1);
    private readonly RunMetrics _metrics;
    private readonly long _startedAt;
    private int _advancePending;
    private long _commitRetries;
    private SourceRun? _source;
    private IDisposable? _checkpointLock;
    private readonly Lock _stateLock = new();
    private PipelineState _state = PipelineState.Running;
    private bool _stopRequested;
    private TaskCompletionSource? _pauseEpoch;
    private TaskCompletionSource? _settleSignal;

    internal PipelineRun(Pipeline pipeline, SourcePlan plan, IReadOnlyList<Connector> sinks, CancellationToken cancellationToken)
    {
        Pipeline = pipeline;
        _plan = plan;
        _sinks = sinks;
        _gate = new CapacityGate(pipeline.Options.MaxInFlightRecords, pipeline.Options.MaxInFlightBytes);
        var (graph, owners) = pipeline.DescribeWithOwners();
        _metrics = new RunMetrics(this, graph, owners, _gate);
        _run = new RunContext(pipeline.Options, plan.Source.Name, cancellationToken) { WatermarkAdvanced = OnWatermarkAdvanced, Metrics = _metrics, SourceCheckpoint = CheckpointLocks.Find(plan.Source) };
        _startedAt = pipeline.Options.TimeProvider.GetTimestamp();
        LiveRuns.Started(_metrics);
        _ = Task.Run(ExecuteAsync, CancellationToken.None);
    }

    /// <summary>Gets the pipeline this run belongs to.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>
    /// Gets a task that completes when the run has ended: successfully once every record read was delivered
    /// and committed; faulted with the original exception of the first failing stage (its stage name is in
    /// <c>Exception.Data["DataWeaver.Stage"]</c>, its <see cref="Errors.ErrorClass"/> in
    /// <c>Exception.Data["DataWeaver.ErrorClass"]</c>); cancelled when aborted.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Gets where the run is in its life: <see cref="PipelineState.Running"/>, <see cref="PipelineState.Pausing"/>,
    /// <see cref="PipelineState.Paused"/> or <see cref="PipelineState.Draining"/> while it lasts, then
    /// <see cref="PipelineState.Completed"/> (the source ran out), <see cref="PipelineState.Stopped"/> (a stop drained it),
    /// <see cref="PipelineState.Aborted"/> or <see cref="PipelineState.Failed"/>.
    /// </summary>
    public PipelineState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// Occurs when <see cref="State"/> changed, after the change, on the thread that made it. Handlers MUST NOT block or
    /// throw (what they throw is ignored).
    /// </summary>
    public event EventHandler<PipelineRunStateChangedEventArgs>? StateChanged;

    /// <summary>Gets, per source partition, the position up to which every record was acknowledged by every sink it went to.</summary>
    public IReadOnlyList<SourcePosition> AcknowledgedPositions => _source?.Tracker.Watermarks() ?? [];

    /// <summary>Gets how many commits failed with a transient error and were retried (see <see cref="PipelineOptions.CommitRetryTimeout"/>).</summary>
    public long CommitRetries => Interlocked.Read(ref _commitRetries);

    /// <summary>
    /// Gets the run's counters at this moment, with one entry per block of <see cref="Pipeline.Describe"/> (queue fill,
    /// records, busy time). Cheap enough to read a few times per second for a progress display; take two readings and
    /// divide by the difference of their <see cref="PipelineStatistics.Elapsed"/> for rates and busy shares.
    /// </summary>
    public PipelineStatistics Statistics => new(
        _source?.RecordsRead ?? 0,
        _run.RecordsWritten,
        _gate.RecordsInFlight,
        _gate.PeakRecords,
        _run.RecordsUnrouted,
        _run.RecordsSkipped,
        _run.RecordsDeadLettered,
        _run.Retries)
    {
        RecordsFiltered = _run.RecordsFiltered,
        MaxRecordsInFlight = Pipeline.Options.MaxInFlightRecords,
        Sinks = [.. _sinks.Take(Pipeline.MainSinkCount).Select(sink => new SinkStatistics(sink.Name, _run.WrittenBy(sink)))],
        Errors = _metrics.Errors,
        CommitLag = _metrics.CommitLag(),
        Elapsed = Pipeline.Options.TimeProvider.GetElapsedTime(_startedAt),
        Blocks = _metrics.ReadBlocks(),
    };

    /// <summary>
    /// Occurs after each commit of source positions (periodic, continuous, or the last one when the run ends), on the
    /// thread that committed. Handlers MUST NOT block or throw: the commit path waits for them, and an exception they
    /// throw fails the run.
    /// </summary>
    public event EventHandler<PipelineCommittedEventArgs>? Committed;

    /// <summary>Gets the failure that ended the run, once <see cref="State"/> is <see cref="PipelineState.Failed"/> (before <see cref="Completion"/> ends).</summary>
    internal Exception? FailureException => _run.Failure?.SourceException;

    /// <summary>Gets the source's acknowledgement tracker, once the run created it.</summary>
    internal AcknowledgementTracker? Tracker => _source?.Tracker;

    /// <summary>
    /// Stops with a drain: the source stops reading, records in flight reach the sinks and are acknowledged,
    /// positions are committed, then the run completes. If <paramref name="cancellationToken"/> fires first,
    /// the run is aborted instead.
    /// </summary>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled (a drain timeout).</param>
    /// <returns>The run's <see cref="Completion"/>.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        RequestStop();
        using (cancellationToken.Register(static state => ((PipelineRun)state!).Abort(), this))
        {
            await Completion.ConfigureAwait(false);
        }
    }

    /// <summary>Asks for a drain without waiting for it; see <see cref="StopAsync"/>. A paused run drains too.</summary>
    public void RequestStop()
    {
        TaskCompletionSource? epoch;
        lock (_stateLock)
        {
            _stopRequested = true;
            (epoch, _pauseEpoch) = (_pauseEpoch, null);
        }

        Move(PipelineState.Draining, PipelineState.Running, PipelineState.Pausing, PipelineState.Paused);
        _stopReading.Cancel();
        _run.Pause.Resume(); // the reading loop wakes, sees the stop, and hands over nothing more than it already read
        EndPause(epoch);
    }

    /// <summary>
    /// Pauses the run: the source stops reading (a fill in progress that returns keeps its records out of the pipeline
    /// until <see cref="Resume"/>), the records in flight reach the sinks and are acknowledged, their positions are
    /// committed, then <see cref="State"/> is <see cref="PipelineState.Paused"/>. Resume continues from the same position:
    /// nothing is lost or read twice. Does nothing unless the run is running or pausing.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the pause stays asked for).</param>
    /// <returns>
    /// A task that completes when the run is paused, or when the pause was overtaken (resumed, stopped, ended) before it
    /// took hold; read <see cref="State"/> to know which.
    /// </returns>
    public Task PauseAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource epoch;
        var start = false;
        lock (_stateLock)
        {
            if (_state is not (PipelineState.Running or PipelineState.Pausing))
            {
                return Task.CompletedTask;
            }

            if (_pauseEpoch is null)
            {
                _pauseEpoch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                start = true;
            }

            epoch = _pauseEpoch;
        }

        if (start)
        {
            _ = PauseCoreAsync(epoch);
        }

        return epoch.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Resumes a paused (or pausing) run: the source reads on from where it stopped. Does nothing otherwise.</summary>
    public void Resume()
    {
        TaskCompletionSource? epoch;
        lock (_stateLock)
        {
            if (_state is not (PipelineState.Pausing or PipelineState.Paused))
            {
                return;
            }

            (epoch, _pauseEpoch) = (_pauseEpoch, null);
        }

        Move(PipelineState.Running, PipelineState.Pausing, PipelineState.Paused);
        _run.Pause.Resume();
        EndPause(epoch);
    }

    private async Task PauseCoreAsync(TaskCompletionSource epoch)
    {
        try
        {
            if (!Move(PipelineState.Pausing, PipelineState.Running))
            {
                return;
            }

            await _run.Pause.Pause().WaitAsync(_run.AbortToken).ConfigureAwait(false);

            // Records held back by batching stages go now; every record read settles, then its position commits.
            _run.RelievePressure();
            while (IsCurrent(epoch) && !Settled())
            {
                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _settleSignal, signal);
                if (Settled() || !IsCurrent(epoch))
                {
                    break;
                }

                await signal.Task.WaitAsync(_run.AbortToken).ConfigureAwait(false);
            }

            if (IsCurrent(epoch))
            {
                await CommitAdvancedAsync(_run.AbortToken).ConfigureAwait(false);
                if (IsCurrent(epoch))
                {
                    Move(PipelineState.Paused, PipelineState.Pausing);
                }
            }
        }
        catch (OperationCanceledException) when (_run.AbortToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _plan.Source.Name + " (commit)");
        }
        finally
        {
            epoch.TrySetResult();
        }
    }

    private bool IsCurrent(TaskCompletionSource epoch)
    {
        lock (_stateLock)
        {
            return ReferenceEquals(_pauseEpoch, epoch) && _state == PipelineState.Pausing;
        }
    }

    /// <summary>Ends a pause that was overtaken (resumed, stopped, ended): its waiters return.</summary>
    private void EndPause(TaskCompletionSource? epoch)
    {
        Interlocked.Exchange(ref _settleSignal, null)?.TrySetResult();
        epoch?.TrySetResult();
    }

    /// <summary>Gets a value indicating whether every record read was acknowledged (on every partition).</summary>
    private bool Settled()
    {
        if (_source is null)
        {
            return true;
        }

        foreach (var partition in _source.Tracker.Progress())
        {
            if (partition.Acknowledged != partition.Read)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves the state to <paramref name="to"/> when it is one of <paramref name="from"/>, and tells of it.</summary>
    private bool Move(PipelineState to, params ReadOnlySpan<PipelineState> from)
    {
        PipelineState previous;
        lock (_stateLock)
        {
            previous = _state;
            if (!from.Contains(previous))
            {
                return false;
            }

            _state = to;
        }

        try
        {
            StateChanged?.Invoke(this, new PipelineRunStateChangedEventArgs(previous, to));
        }
        catch (Exception)
        {
            // Documented: handlers MUST NOT throw; a handler's failure does not change the run.
        }

        return true;
    }

    /// <summary>Aborts: every block stops, records in flight are dropped and never acknowledged.</summary>
    public void Abort() => _run.Abort();

    private async Task ExecuteAsync()
    {
        using var readToken = CancellationTokenSource.CreateLinkedTokenSource(_stopReading.Token, _run.AbortToken);
        using var commitLoopStop = CancellationTokenSource.CreateLinkedTokenSource(_run.AbortToken);
        Task commitLoop = Task.CompletedTask;
        try
        {
            // One run per checkpoint: held from before the source opens until after it closed (FinishAsync).
            _checkpointLock = CheckpointLocks.Acquire(_plan.Source);
            _source = _plan.Instantiate(_run, _gate, readToken.Token);
            foreach (var sink in _sinks)
            {
                await sink.OpenAsync(_run.AbortToken).ConfigureAwait(false);
            }

            await _plan.Source.OpenAsync(_run.AbortToken).ConfigureAwait(false);
            commitLoop = CommitLoopAsync(commitLoopStop.Token);
            await _source.RunAsync().ConfigureAwait(false);
            await _run.WhenAllBlocksDone().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_run.Failure is null && !_run.AbortToken.IsCancellationRequested)
            {
                foreach (var sink in _sinks)
                {
                    await FlushAsync(sink).ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception)
        {
            _run.Fail(exception, Pipeline.Name);
        }

        await commitLoopStop.CancelAsync().ConfigureAwait(false);
        await commitLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await FinishAsync().ConfigureAwait(false);
    }

    private async Task FinishAsync()
    {
        // What was acknowledged is committed even after a failure or an abort: it was delivered.
        try
        {
            await CommitAdvancedAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _plan.Source.Name + " (commit)");
        }

        foreach (var connector in _sinks.Prepend(_plan.Source))
        {
            try
            {
                await connector.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _run.Fail(exception, connector.Name + " (close)");
            }
        }

        _checkpointLock?.Dispose();

        var failure = _run.Failure;
        var aborted = _run.AbortToken.IsCancellationRequested;
        bool stopRequested;
        TaskCompletionSource? epoch;
        lock (_stateLock)
        {
            stopRequested = _stopRequested;
            (epoch, _pauseEpoch) = (_pauseEpoch, null);
        }

        var final = failure is not null ? PipelineState.Failed : aborted ? PipelineState.Aborted : stopRequested ? PipelineState.Stopped : PipelineState.Completed;
        Move(final, PipelineState.Running, PipelineState.Pausing, PipelineState.Paused, PipelineState.Draining);
        EndPause(epoch);
        LiveRuns.Ended(_metrics);
        _run.Dispose();
        _commitLock.Dispose();

        // Through a completion source: a failure that happens to be an OperationCanceledException (a timed-out
        // HTTP call) still faults the task rather than cancelling it.
        if (failure is not null)
        {
            _completion.SetException(failure.SourceException);
        }
        else if (aborted)
        {
            _completion.SetCanceled();
        }
        else
        {
            _completion.SetResult();
        }
    }

    private async Task FlushAsync(Connector sink)
    {
        if (sink is IFlushableSink flushable)
        {
            await flushable.FlushAsync(_run.AbortToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Wakes the continuous commit loop: a watermark advanced. Called under the tracker's lock, so it only
    /// flips a flag and releases a semaphore at most once per wake-up; it never blocks.
    /// </summary>
    internal void OnWatermarkAdvanced()
    {
        if (Interlocked.Exchange(ref _advancePending, 1) == 0)
        {
            _advanced.Release();
        }

        Interlocked.Exchange(ref _settleSignal, null)?.TrySetResult(); // a pause waiting for in-flight records to settle
    }

    private Task CommitLoopAsync(CancellationToken cancellationToken)
    {
        var interval = Pipeline.Options.CommitInterval;
        return interval == Timeout.InfiniteTimeSpan ? Task.CompletedTask
            : interval == TimeSpan.Zero ? ContinuousCommitLoopAsync(cancellationToken)
            : PeriodicCommitLoopAsync(interval, cancellationToken);
    }

    private async Task PeriodicCommitLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, Pipeline.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                await CommitAdvancedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _plan.Source.Name + " (commit)");
        }
    }

    /// <summary>
    /// Commits whenever a watermark advanced since the last commit, one commit at a time: advances that arrive
    /// during a commit are coalesced into the next one, which starts as soon as that commit finished.
    /// </summary>
    private async Task ContinuousCommitLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                // Woken by OnWatermarkAdvanced (the tracker calls it on every advance).
                await _advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _advancePending, 0);

                await CommitAdvancedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _plan.Source.Name + " (commit)");
        }
    }

    /// <summary>Commits, retrying transient failures with backoff for up to <see cref="PipelineOptions.CommitRetryTimeout"/>.</summary>
    private async Task CommitWithRetriesAsync(List<SourcePosition> positions, CancellationToken cancellationToken)
    {
        var options = Pipeline.Options;
        var started = options.TimeProvider.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await _source!.CommitAsync(positions, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested
                && ErrorPolicy.Classify(exception, options) == ErrorClass.Transient
                && options.TimeProvider.GetElapsedTime(started) + delay <= options.CommitRetryTimeout)
            {
                Interlocked.Increment(ref _commitRetries);
            }

            await Task.Delay(delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private async Task CommitAdvancedAsync(CancellationToken cancellationToken)
    {
        if (_source is null)
        {
            return;
        }

        await _commitLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<SourcePosition> advanced = [];
            List<PartitionProgress> progress = [];
            foreach (var partition in _source.Tracker.Progress())
            {
                if (partition.HasWatermark && (!_committed.TryGetValue(partition.Partition, out var committed) || committed != partition.Watermark))
                {
                    advanced.Add(new SourcePosition(partition.Partition, partition.Watermark));
                    progress.Add(partition);
                }
            }

            var state = _run.StateParticipant;
            IReadOnlyList<SourcePosition>? covered = null;
            if (state is not null)
            {
                // A stage checkpoints its state: commit only what a durably saved snapshot covers (saved first).
                covered = await state.SaveCoveredAsync(_source.Tracker.Watermarks(), cancellationToken).ConfigureAwait(false);
                if (covered is null)
                {
                    return;
                }

                advanced = [.. covered!.Where(p => !_committed.TryGetValue(p.Partition, out var c) || c != p.Offset)];
                progress = [.. progress.Where(p => covered!.Any(c => c.Partition == p.Partition && c.Offset == p.Watermark))];
            }

            if (advanced.Count == 0)
            {
                return;
            }

            await CommitWithRetriesAsync(advanced, cancellationToken).ConfigureAwait(false);
            state?.Committed(covered!);
            foreach (var position in advanced)
            {
                _committed[position.Partition] = position.Offset;
            }

            // With continuous commits, in-flight credits come back only now (see AcknowledgementTracker).
            _source.Tracker.Committed(advanced);
            _source.Tracker.CommittedThrough(progress);
            _metrics.Committed();
            Committed?.Invoke(this, new PipelineCommittedEventArgs(advanced, _metrics.CommitLag()));
        }
        finally
        {
            _commitLock.Release();
        }
    }
}
