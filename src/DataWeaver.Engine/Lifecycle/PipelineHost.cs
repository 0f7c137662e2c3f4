using DataWeaver.Errors;
using DataWeaver.Pipelines;

namespace DataWeaver.Lifecycle;

/// <summary>
/// Owns one pipeline's life: builds it, starts it, pauses and resumes it, drains it on a stop (aborting it after
/// <see cref="PipelineHostOptions.DrainTimeout"/>), aborts it, and starts it again after a failure with backoff
/// (<see cref="PipelineRestartPolicy"/>). Its <see cref="State"/> follows the one state model of
/// <see cref="PipelineStates"/>; the pipeline manager, the Generic Host integration, <c>ConnectorPipeline</c> and the
/// <c>dataweaver</c> CLI all run their pipelines through a host. Thread-safe.
/// </summary>
/// <remarks>
/// Pipelines of several hosts are independent: one failing does not stop, drain or relabel another. Whoever runs several
/// (the CLI, the Generic Host) decides what to do with the others, and both let them run on.
/// </remarks>
public sealed class PipelineHost
{
    private readonly Lock _lock = new();
    private readonly Func<Pipeline> _factory;
    private readonly TimeProvider _time;
    private PipelineState _state = PipelineState.Created;
    private TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PipelineRun? _run;
    private Pipeline? _pipeline;
    private ITimer? _timer;
    private bool _stopRequested;
    private int _restarts;
    private Exception? _lastError;
    private ErrorClass? _lastErrorClass;
    private string? _lastErrorStage;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _endedAt;

    /// <summary>Creates a host that builds its pipeline with <paramref name="factory"/> for every start and restart.</summary>
    /// <param name="name">The pipeline's name, as states and logs show it.</param>
    /// <param name="factory">Builds the pipeline; what it throws fails the start (<see cref="PipelineState.Failed"/>, stage <c>(factory)</c>).</param>
    /// <param name="options">The drain timeout, restart policy and clock; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid.</exception>
    public PipelineHost(string name, Func<Pipeline> factory, PipelineHostOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        Options = options ?? new PipelineHostOptions();
        Options.Validate();
        Name = name;
        _factory = factory;
        _time = Options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a host of a built pipeline, which every start and restart runs again.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="options">The drain timeout, restart policy and clock; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid.</exception>
    public PipelineHost(Pipeline pipeline, PipelineHostOptions? options = null)
        : this(pipeline?.Name ?? throw new ArgumentNullException(nameof(pipeline)), () => pipeline, options)
    {
        _pipeline = pipeline;
    }

    /// <summary>
    /// Occurs after every change of <see cref="State"/>, on the thread that made it, in the order of the changes for
    /// one host. Handlers MUST NOT block; what they throw is ignored.
    /// </summary>
    public event EventHandler<PipelineStateChangedEventArgs>? StateChanged;

    /// <summary>Gets the pipeline's name.</summary>
    public string Name { get; }

    /// <summary>Gets the options the host was created with.</summary>
    public PipelineHostOptions Options { get; }

    /// <summary>Gets where the pipeline is in its life.</summary>
    public PipelineState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets the pipeline last built, or <see langword="null"/> before the first start (when built by a factory).</summary>
    public Pipeline? Pipeline
    {
        get
        {
            lock (_lock)
            {
                return _pipeline;
            }
        }
    }

    /// <summary>Gets the latest run, in progress or ended, or <see langword="null"/> before the first run.</summary>
    public PipelineRun? LastRun
    {
        get
        {
            lock (_lock)
            {
                return _run;
            }
        }
    }

    /// <summary>Gets the run in progress (running, pausing, paused or draining), or <see langword="null"/> when none is.</summary>
    public PipelineRun? CurrentRun
    {
        get
        {
            lock (_lock)
            {
                return _run is { Completion.IsCompleted: false } run ? run : null;
            }
        }
    }

    /// <summary>Gets the counters of the latest run (see <see cref="PipelineRun.Statistics"/>); zeros before the first run.</summary>
    public PipelineStatistics Statistics => LastRun?.Statistics ?? default;

    /// <summary>Gets how many times the pipeline was started again after a failure since the last <see cref="Start"/>.</summary>
    public int Restarts
    {
        get
        {
            lock (_lock)
            {
                return _restarts;
            }
        }
    }

    /// <summary>Gets the last failure: the original exception of the failing stage, or what the factory threw; <see langword="null"/> when the last run did not fail.</summary>
    public Exception? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Gets the class of <see cref="LastError"/>.</summary>
    public ErrorClass? LastErrorClass
    {
        get
        {
            lock (_lock)
            {
                return _lastErrorClass;
            }
        }
    }

    /// <summary>Gets the stage <see cref="LastError"/> happened in, as the pipeline's graph names it; <c>(factory)</c> when the pipeline could not be built.</summary>
    public string? LastErrorStage
    {
        get
        {
            lock (_lock)
            {
                return _lastErrorStage;
            }
        }
    }

    /// <summary>Gets when the latest run started, by the host's clock.</summary>
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

    /// <summary>Gets when the pipeline last ended (an ended state), by the host's clock; <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndedAt
    {
        get
        {
            lock (_lock)
            {
                return _endedAt;
            }
        }
    }

    /// <summary>
    /// Gets a task that completes when the pipeline reached an ended state (<see cref="PipelineStates.IsEnded"/>) after
    /// the latest <see cref="Start"/> (restarts included). It never faults: read <see cref="State"/> and <see cref="LastError"/>.
    /// </summary>
    public Task Completion
    {
        get
        {
            lock (_lock)
            {
                return _ended.Task;
            }
        }
    }

    /// <summary>Starts the pipeline (from <see cref="PipelineState.Created"/> or an ended state) and returns at once.</summary>
    /// <returns>The run, or <see langword="null"/> when the pipeline could not be built (<see cref="State"/> is <see cref="PipelineState.Failed"/>).</returns>
    /// <exception cref="InvalidOperationException">The pipeline is running, pausing, paused, draining or restarting.</exception>
    public PipelineRun? Start()
    {
        lock (_lock)
        {
            if (!PipelineStates.IsEnded(_state) && _state != PipelineState.Created)
            {
                ThrowHelper.ThrowInvalidOperation($"Pipeline '{Name}' is {PipelineStates.Label(_state)}; stop it (and wait for its end) before starting it again.");
            }

            _stopRequested = false;
            _restarts = 0;
            if (_ended.Task.IsCompleted)
            {
                _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return StartRun();
    }

    /// <summary>
    /// Pauses the run (see <see cref="PipelineRun.PauseAsync"/>): the source stops reading, the records in flight finish
    /// and their positions commit; then <see cref="State"/> is <see cref="PipelineState.Paused"/>. Does nothing when no run is in progress.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the pause stays asked for).</param>
    /// <returns>A task that completes when paused, or when the pause was overtaken by a resume, a stop or the run's end.</returns>
    public Task PauseAsync(CancellationToken cancellationToken = default) => CurrentRun?.PauseAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Resumes a paused (or pausing) run: its source reads on from where it stopped. Does nothing otherwise.</summary>
    public void Resume() => CurrentRun?.Resume();

    /// <summary>
    /// Asks for a stop without waiting: a run drains (a paused one too), aborted after <see cref="PipelineHostOptions.DrainTimeout"/>;
    /// a pipeline never started is <see cref="PipelineState.Stopped"/> at once, and one waiting to restart is
    /// <see cref="PipelineState.Failed"/> at once (its last run failed and it does not start again).
    /// </summary>
    public void RequestStop()
    {
        PipelineRun? run;
        PipelineState previous;
        lock (_lock)
        {
            if (_stopRequested)
            {
                return;
            }

            _stopRequested = true;
            previous = _state;
            run = _run is { Completion.IsCompleted: false } current ? current : null;
            if (run is null && previous is PipelineState.Created or PipelineState.Restarting)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }

        if (run is null)
        {
            if (previous is PipelineState.Created or PipelineState.Restarting)
            {
                End(previous == PipelineState.Created ? PipelineState.Stopped : PipelineState.Failed, previous);
            }

            return;
        }

        run.RequestStop();
        if (Options.DrainTimeout != Timeout.InfiniteTimeSpan)
        {
            var timer = _time.CreateTimer(static state => ((PipelineRun)state!).Abort(), run, Options.DrainTimeout, Timeout.InfiniteTimeSpan);
            lock (_lock)
            {
                _timer?.Dispose();
                _timer = timer;
            }
        }
    }

    /// <summary>Stops with a drain and waits for the end (see <see cref="RequestStop"/>).</summary>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled.</param>
    /// <returns>A task that completes when the pipeline ended; it does not throw for a failed run (see <see cref="LastError"/>).</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        RequestStop();
        using (cancellationToken.Register(static state => ((PipelineHost)state!).Abort(), this))
        {
            await Completion.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Aborts: the run stops at once, records in flight are dropped unacknowledged (what was acknowledged is still
    /// committed), and no restart follows. A pipeline waiting to restart is <see cref="PipelineState.Failed"/> at once.
    /// </summary>
    public void Abort()
    {
        PipelineRun? run;
        lock (_lock)
        {
            run = _run is { Completion.IsCompleted: false } current ? current : null;
            if (run is not null)
            {
                _stopRequested = true;
            }
        }

        if (run is null)
        {
            RequestStop();
            return;
        }

        run.Abort();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {PipelineStates.Label(State)}";

    private PipelineRun? StartRun()
    {
        PipelineRun run;
        Pipeline pipeline;
        try
        {
            pipeline = _factory();
            run = pipeline.Start(CancellationToken.None);
        }
        catch (Exception exception)
        {
            PipelineState previous;
            lock (_lock)
            {
                previous = _state;
                _lastError = exception;
                _lastErrorClass = exception is DataWeaverException known ? known.ErrorClass : ErrorClass.Fatal;
                _lastErrorStage = "(factory)";
            }

            End(PipelineState.Failed, previous);
            return null;
        }

        PipelineState before;
        lock (_lock)
        {
            _pipeline = pipeline;
            _run = run;
            _lastError = null;
            _lastErrorClass = null;
            _lastErrorStage = null;
            _startedAt = _time.GetUtcNow();
            _endedAt = null;
            before = _state;
            _state = PipelineState.Running;
        }

        Raise(before, PipelineState.Running);
        run.StateChanged += OnRunStateChanged;
        if (PipelineStates.IsEnded(run.State))
        {
            OnRunEnded(run, run.State); // ended before the handler was attached
        }

        // A stop asked while the pipeline was being built applies to the new run.
        bool stop;
        lock (_lock)
        {
            stop = _stopRequested;
        }

        if (stop)
        {
            run.RequestStop();
        }

        return run;
    }

    /// <summary>
    /// Mirrors the run's moves (pausing, paused, draining, resumed), and its end, which the run tells before its
    /// completion task ends: the host's state is true as soon as the run's is.
    /// </summary>
    private void OnRunStateChanged(object? sender, PipelineRunStateChangedEventArgs e)
    {
        if (PipelineStates.IsEnded(e.Current))
        {
            OnRunEnded((PipelineRun)sender!, e.Current);
            return;
        }

        PipelineState previous;
        lock (_lock)
        {
            if (!ReferenceEquals(sender, _run) || !PipelineStates.IsActive(_state) || _state == e.Current)
            {
                return;
            }

            previous = _state;
            _state = e.Current;
        }

        Raise(previous, e.Current);
    }

    private void OnRunEnded(PipelineRun run, PipelineState final)
    {
        PipelineState previous;
        PipelineState next;
        TimeSpan delay = default;
        lock (_lock)
        {
            if (!ReferenceEquals(run, _run) || !PipelineStates.IsActive(_state))
            {
                return; // told twice (the handler raced with the check after attaching it)
            }

            _timer?.Dispose();
            _timer = null;
            previous = _state;
            next = final;
            if (final == PipelineState.Failed && run.FailureException is { } error)
            {
                _lastError = error;
                _lastErrorClass = error.Data["DataWeaver.ErrorClass"] as ErrorClass? ?? (error is DataWeaverException known ? known.ErrorClass : ErrorClass.Fatal);
                _lastErrorStage = error.Data["DataWeaver.Stage"] as string ?? run.Pipeline.Name;
                if (!_stopRequested && previous != PipelineState.Draining && _restarts < Options.Restart.MaxRestarts)
                {
                    delay = Options.Restart.DelayBefore(_restarts);
                    _restarts++;
                    next = PipelineState.Restarting;
                    _state = next;
                    _timer = _time.CreateTimer(static state => ((PipelineHost)state!).Restart(), this, delay, Timeout.InfiniteTimeSpan);
                }
            }
        }

        if (next == PipelineState.Restarting)
        {
            Raise(previous, next);
            return;
        }

        End(next, previous, run);
    }

    private void Restart()
    {
        PipelineRun? previous;
        lock (_lock)
        {
            if (_state != PipelineState.Restarting || _stopRequested)
            {
                return;
            }

            _timer?.Dispose();
            _timer = null;
            previous = _run;
        }

        // The failed run tells of its end before its completion task ends; the pipeline starts again once it has.
        _ = (previous?.Completion ?? Task.CompletedTask).ContinueWith(
            static (_, state) =>
            {
                var host = (PipelineHost)state!;
                lock (host._lock)
                {
                    if (host._state != PipelineState.Restarting || host._stopRequested)
                    {
                        return;
                    }
                }

                host.StartRun();
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>Moves to an ended state and completes <see cref="Completion"/> (after the run's own completion task).</summary>
    private void End(PipelineState state, PipelineState expected, PipelineRun? run = null)
    {
        TaskCompletionSource ended;
        lock (_lock)
        {
            if (_state != expected)
            {
                return;
            }

            _state = state;
            _endedAt = _time.GetUtcNow();
            ended = _ended;
        }

        if (expected != state)
        {
            Raise(expected, state);
        }

        if (run is null || run.Completion.IsCompleted)
        {
            ended.TrySetResult();
            return;
        }

        _ = run.Completion.ContinueWith(static (_, state) => ((TaskCompletionSource)state!).TrySetResult(), ended, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Raise(PipelineState previous, PipelineState current)
    {
        try
        {
            StateChanged?.Invoke(this, new PipelineStateChangedEventArgs(this, previous, current));
        }
        catch (Exception)
        {
            // Documented: handlers MUST NOT throw; a handler's failure does not change the pipeline's life.
        }
    }
}
