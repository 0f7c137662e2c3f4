using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using DataWeaver.Connectors;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Internal.Plan;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Internal.Runtime;

/// <summary>What the blocks of one run share: the abort token, the first failure, completions to wait for, counters.</summary>
internal sealed class RunContext : IDisposable
{
    private readonly CancellationTokenSource _abort;
    private readonly List<Task> _completions = [];
    private readonly List<Task> _deadLetterCompletions = [];
    private readonly Dictionary<SinkConnector<DeadLetter>, BatchTarget<DeadLetter>> _deadLetterTargets = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(ErrorPolicy Policy, bool Sink), Polly.ResiliencePipeline?> _resilience = [];
    private long _retries;
    private long _skipped;
    private long _deadLettered;
    private readonly List<Action> _pressureReliefs = [];
    private int _underPressure;
    private ExceptionDispatchInfo? _failure;
    private long _recordsWritten;
    private long _recordsUnrouted;
    private long _recordsFiltered;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Connector, StrongBox<long>> _writtenPerSink = new(ReferenceEqualityComparer.Instance);

    public RunContext(PipelineOptions options, string sourceName, CancellationToken cancellationToken)
    {
        Options = options;
        SourceName = sourceName;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public PipelineOptions Options { get; }

    public string SourceName { get; }

    /// <summary>Gets or sets what to tell of every watermark advance (the continuous commit loop); MUST NOT block.</summary>
    public Action? WatermarkAdvanced { get; set; }

    /// <summary>Gets the store and key of the source's checkpoint; <see langword="null"/> when the source keeps none.</summary>
    public (Checkpoints.ICheckpointStore Store, string Key)? SourceCheckpoint { get; init; }

    /// <summary>Gets the stage whose state is checkpointed with the positions (at most one per run); read by the commit loop.</summary>
    public Checkpoints.IStateParticipant? StateParticipant { get; private set; }

    /// <summary>Registers the run's state-checkpointing stage; a second one is a configuration error.</summary>
    public void RegisterStateParticipant(Checkpoints.IStateParticipant participant, string stage)
    {
        if (StateParticipant is not null)
        {
            throw new InvalidOperationException($"Stage '{stage}': only one stage of a pipeline may checkpoint its state (CheckpointState).");
        }

        StateParticipant = participant;
    }

    /// <summary>Gets the run's metrics: block counters and instruments; <see langword="null"/> reports nothing.</summary>
    public RunMetrics? Metrics { get; init; }

    public long Retries => Interlocked.Read(ref _retries);

    public long RecordsSkipped => Interlocked.Read(ref _skipped);

    public long RecordsDeadLettered => Interlocked.Read(ref _deadLettered);

    public void AddRetries(int retries, string stage)
    {
        Interlocked.Add(ref _retries, retries);
        Metrics?.Retried(stage, retries);
    }

    public void AddSkipped(int records, string stage)
    {
        Interlocked.Add(ref _skipped, records);
        Metrics?.Skipped(stage, records);
    }

    public void AddDeadLettered(int records, string stage)
    {
        Interlocked.Add(ref _deadLettered, records);
        Metrics?.DeadLettered(stage, records);
    }

    /// <summary>Counts an error in a stage (once per exception object; see <see cref="RunMetrics.Error"/>).</summary>
    public void CountError(string stage, ErrorClass errorClass, Exception? exception = null) => Metrics?.Error(stage, errorClass, exception);

    /// <summary>
    /// Gets the resilience pipeline of a policy, one per policy and run: every worker and lane of the stages that
    /// use the policy shares its circuit breaker.
    /// </summary>
    public Polly.ResiliencePipeline? Resilience(ErrorPolicy policy, bool sink)
    {
        lock (_resilience)
        {
            if (!_resilience.TryGetValue((policy, sink), out var pipeline))
            {
                var options = Options;
                pipeline = policy.CreateResilience(e => ErrorPolicy.Classify(e, options), options.TimeProvider, firstTryInside: sink);
                _resilience.Add((policy, sink), pipeline);
            }

            return pipeline;
        }
    }

    /// <summary>Gets the input of a dead-letter sink's block, created on first use; its block is completed after every other block.</summary>
    public BatchTarget<DeadLetter> DeadLetterTarget(SinkConnector<DeadLetter> sink)
    {
        lock (_deadLetterTargets)
        {
            if (!_deadLetterTargets.TryGetValue(sink, out var target))
            {
                var options = StageOptions.Default;
                target = new SinkNode<DeadLetter>(sink.Name, sink, options, policy: null, Bounds.BlockCapacity(Options.DefaultStageCapacity, Options.BatchSize, 1), this, deadLetter: true).Input;
                _deadLetterTargets.Add(sink, target);
            }

            return target;
        }
    }

    /// <summary>Registers the completion of a dead-letter sink's block.</summary>
    public void TrackDeadLetter(Task completion)
    {
        lock (_completions)
        {
            _deadLetterCompletions.Add(completion);
        }
    }
    public CancellationToken AbortToken => _abort.Token;

    public ExceptionDispatchInfo? Failure => Volatile.Read(ref _failure);

    public long RecordsWritten => Interlocked.Read(ref _recordsWritten);

    public long RecordsUnrouted => Interlocked.Read(ref _recordsUnrouted);

    public long RecordsFiltered => Interlocked.Read(ref _recordsFiltered);

    /// <summary>
    /// Gets or sets a value indicating whether the source stopped reading because a stop (drain) was requested while it
    /// may have had more, rather than because it ran out: stateful stages then keep their open windows unemitted (and
    /// unacknowledged) instead of emitting partial results. Set before the source's first block is completed.
    /// </summary>
    public bool SourceStopped { get; set; }

    /// <summary>Gets the pause gate of the source's reading loop.</summary>
    public PauseGate Pause { get; } = new();

    /// <summary>Counts records a sink wrote; a dead-letter sink's writes are not records out (they count as dead-lettered).</summary>
    public void AddWritten(string sink, Connector connector, int records, long bytes, bool deadLetter = false)
    {
        if (!deadLetter)
        {
            Interlocked.Add(ref _recordsWritten, records);
            Interlocked.Add(ref _writtenPerSink.GetOrAdd(connector, static _ => new StrongBox<long>()).Value, records);
        }

        Metrics?.SinkWritten(sink, records, bytes);
    }

    /// <summary>Gets how many records a sink wrote in this run.</summary>
    public long WrittenBy(Connector sink) => _writtenPerSink.TryGetValue(sink, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>Counts records a filter left out.</summary>
    public void AddFiltered(int records)
    {
        if (records != 0)
        {
            Interlocked.Add(ref _recordsFiltered, records);
        }
    }

    public void AddUnrouted(int records, string stage)
    {
        Interlocked.Add(ref _recordsUnrouted, records);
        Metrics?.Unrouted(stage, records);
    }

    /// <summary>Registers a block completion that the run waits for before it completes.</summary>
    public void Track(Task completion)
    {
        lock (_completions)
        {
            _completions.Add(completion);
        }
    }

    /// <summary>
    /// Waits for every block; dead-letter sinks are completed once every block that could feed them is done, and
    /// waited for too, even after a failure, so they are never closed in the middle of a write. Failures are
    /// recorded through <see cref="Fail"/>, not thrown here.
    /// </summary>
    public async Task WhenAllBlocksDone()
    {
        Task[] main;
        lock (_completions)
        {
            main = [.. _completions];
        }

        await Task.WhenAll(main).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        BatchTarget<DeadLetter>[] deadLetters;
        lock (_deadLetterTargets)
        {
            deadLetters = [.. _deadLetterTargets.Values];
        }

        foreach (var target in deadLetters)
        {
            target.Complete();
        }

        Task[] tail;
        lock (_completions)
        {
            tail = [.. _deadLetterCompletions];
        }

        await Task.WhenAll(tail).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Registers what a node does to give back in-flight credits it holds (a batching node flushes early).</summary>
    public void OnPressure(Action relieve)
    {
        lock (_pressureReliefs)
        {
            _pressureReliefs.Add(relieve);
        }
    }

    /// <summary>Gets a value indicating whether the source is waiting for in-flight credits right now.</summary>
    public bool UnderPressure => Volatile.Read(ref _underPressure) != 0;

    /// <summary>
    /// Called by the source when it must wait for in-flight credits: nodes that hold records back let go of
    /// what they hold now, and of what reaches them until <see cref="EndPressure"/>.
    /// </summary>
    public void RelievePressure()
    {
        Volatile.Write(ref _underPressure, 1);
        lock (_pressureReliefs)
        {
            foreach (var relieve in _pressureReliefs)
            {
                relieve();
            }
        }
    }

    /// <summary>Called by the source once it got its credits.</summary>
    public void EndPressure() => Volatile.Write(ref _underPressure, 0);

    /// <summary>Records the first failure (with the stage it happened in) and aborts every block.</summary>
    public void Fail(Exception exception, string stage)
    {
        if (exception is OperationCanceledException && AbortToken.IsCancellationRequested)
        {
            return; // a consequence of an abort, not a cause
        }

        exception.Data["DataWeaver.Stage"] ??= stage;
        if (Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null) is null)
        {
            var errorClass = ErrorPolicy.Classify(exception, Options);
            exception.Data["DataWeaver.ErrorClass"] = errorClass;
            CountError(exception.Data["DataWeaver.Stage"] as string ?? stage, errorClass, exception);
            Abort();
        }
    }

    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _abort.Dispose();
}
