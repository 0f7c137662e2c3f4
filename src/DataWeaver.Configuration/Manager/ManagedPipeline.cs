using DataWeaver.Configuration.Internal;
using DataWeaver.Pipelines;

namespace DataWeaver.Configuration;

/// <summary>
/// A pipeline a <see cref="PipelineManager"/> runs: its state, its current and last run, and its last error. Read it
/// any time from any thread; change it through the manager.
/// </summary>
public sealed class ManagedPipeline
{
    private readonly Lock _lock = new();
    private ManagedPipelineState _state = ManagedPipelineState.Created;
    private readonly TimeProvider _time;
    private PipelineRun? _lastRun;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _endedAt;

    internal ManagedPipeline(Pipeline pipeline, PipelineDefinition? definition, TimeProvider time)
    {
        _time = time;
        Pipeline = pipeline;
        Definition = definition;
    }

    /// <summary>Gets the pipeline's name, unique within its manager.</summary>
    public string Name => Pipeline.Name;

    /// <summary>Gets the engine pipeline.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>Gets the definition it was created from, or <see langword="null"/> for a pipeline built in code.</summary>
    public PipelineDefinition? Definition { get; }

    /// <summary>Gets where the pipeline is in its life. Reflects the end of a run as soon as its completion task has ended.</summary>
    public ManagedPipelineState State
    {
        get
        {
            lock (_lock)
            {
                return _state is ManagedPipelineState.Running or ManagedPipelineState.Draining && _lastRun is { Completion.IsCompleted: true } run
                    ? Final(run)
                    : _state;
            }
        }
    }

    /// <summary>Gets the run in progress (running or draining), or <see langword="null"/> when none is.</summary>
    public PipelineRun? CurrentRun
    {
        get
        {
            lock (_lock)
            {
                return _lastRun is { Completion.IsCompleted: false } run ? run : null;
            }
        }
    }

    /// <summary>Gets the latest run, in progress or ended, or <see langword="null"/> before the first start.</summary>
    public PipelineRun? LastRun
    {
        get
        {
            lock (_lock)
            {
                return _lastRun;
            }
        }
    }

    /// <summary>Gets why the latest run failed, or <see langword="null"/> when it did not. The message may hold secrets a connector put there: show <see cref="LastErrorMessage"/>.</summary>
    public Exception? LastError => LastRun?.Completion is { IsFaulted: true } completion ? completion.Exception.InnerException : null;

    /// <summary>Gets the message of <see cref="LastError"/> with the definition's secret values replaced by <c>***</c>.</summary>
    public string? LastErrorMessage => LastError is { } error ? Scrub(error.Message) : null;

    /// <summary>Gets when the latest run started, by the manager's clock.</summary>
    public DateTimeOffset? StartedAt
    {
        get
        {
            lock (_lock)
            {
                return _startedAt;
            }
        }
    }

    /// <summary>Gets when the latest run ended, by the manager's clock; <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndedAt
    {
        get
        {
            lock (_lock)
            {
                if (_endedAt is null && _lastRun is { Completion.IsCompleted: true })
                {
                    _endedAt = _time.GetUtcNow(); // seen here before the manager's continuation ran
                }

                return _endedAt;
            }
        }
    }

    /// <summary>Replaces the definition's secret values in <paramref name="text"/> with <c>***</c>.</summary>
    /// <param name="text">Any text about this pipeline.</param>
    /// <returns>The text without secrets.</returns>
    public string Scrub(string text) => Definition is { } definition ? SecretScrubber.Scrub(text, definition.SecretValues) : text;

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {State}";

    internal (ManagedPipelineState Previous, PipelineRun Run) Start(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_lastRun is { Completion.IsCompleted: false })
            {
                throw new InvalidOperationException($"Pipeline '{Name}' is already running; stop it before starting it again.");
            }

            var previous = _lastRun is { } last ? Final(last) : _state;
            _lastRun = Pipeline.Start(cancellationToken);
            _state = ManagedPipelineState.Running;
            _startedAt = _time.GetUtcNow();
            _endedAt = null;
            return (previous, _lastRun);
        }
    }

    internal ManagedPipelineState? MarkDraining(PipelineRun run)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(run, _lastRun) || _state != ManagedPipelineState.Running)
            {
                return null;
            }

            _state = ManagedPipelineState.Draining;
            return ManagedPipelineState.Running;
        }
    }

    /// <summary>Records the end of a run once; returns the change to report, or <see langword="null"/> when already recorded.</summary>
    internal (ManagedPipelineState Previous, ManagedPipelineState Current)? Ended(PipelineRun run)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(run, _lastRun) || _state is not (ManagedPipelineState.Running or ManagedPipelineState.Draining))
            {
                return null;
            }

            var previous = _state;
            _state = Final(run);
            _endedAt ??= _time.GetUtcNow();
            return (previous, _state);
        }
    }

    private static ManagedPipelineState Final(PipelineRun run) => run.State switch
    {
        PipelineRunState.Completed => ManagedPipelineState.Completed,
        PipelineRunState.Faulted => ManagedPipelineState.Faulted,
        _ => ManagedPipelineState.Aborted,
    };
}
