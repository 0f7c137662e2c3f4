namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Holds the source's reading loop while a run is paused. The loop passes the gate before each fill and enters it
/// before it hands a filled buffer to the graph; a pause takes hold as soon as the loop is outside that hand-over
/// (<see cref="Pause"/> completes then), so no record enters the pipeline while paused. Records a fill returned during
/// a pause wait, unregistered and uncounted, until the run resumes.
/// </summary>
internal sealed class PauseGate
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _resumed;
    private TaskCompletionSource? _quiet;
    private bool _handingOver;

    /// <summary>Gets a value indicating whether a pause is in force.</summary>
    public bool IsPaused
    {
        get
        {
            lock (_lock)
            {
                return _resumed is not null;
            }
        }
    }

    /// <summary>Pauses; the task completes once the reading loop hands nothing more to the graph.</summary>
    public Task Pause()
    {
        lock (_lock)
        {
            if (_resumed is null)
            {
                _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_handingOver)
                {
                    _quiet.TrySetResult();
                }
            }

            return _quiet!.Task;
        }
    }

    /// <summary>Lets the reading loop go on; does nothing when not paused.</summary>
    public void Resume()
    {
        TaskCompletionSource? resumed;
        lock (_lock)
        {
            resumed = _resumed;
            _resumed = null;
            _quiet?.TrySetResult();
        }

        resumed?.TrySetResult();
    }

    /// <summary>Waits while paused (before a fill); returns at once otherwise.</summary>
    public ValueTask WaitWhilePausedAsync(CancellationToken cancellationToken)
    {
        Task? wait;
        lock (_lock)
        {
            wait = _resumed?.Task;
        }

        return wait is null ? default : WaitAsync(wait, cancellationToken);
    }

    /// <summary>Enters the hand-over of a filled buffer, waiting while paused.</summary>
    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        Task? wait;
        lock (_lock)
        {
            wait = _resumed?.Task;
            if (wait is null)
            {
                _handingOver = true;
                return default;
            }
        }

        return EnterSlowAsync(wait, cancellationToken);
    }

    /// <summary>Leaves the hand-over: a pause asked during it takes hold now.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            _handingOver = false;
            if (_resumed is not null)
            {
                _quiet?.TrySetResult();
            }
        }
    }

    private static async ValueTask WaitAsync(Task wait, CancellationToken cancellationToken) =>
        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);

    private async ValueTask EnterSlowAsync(Task wait, CancellationToken cancellationToken)
    {
        while (true)
        {
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (_resumed is null)
                {
                    _handingOver = true;
                    return;
                }

                wait = _resumed.Task; // paused again before this loop woke
            }
        }
    }
}
