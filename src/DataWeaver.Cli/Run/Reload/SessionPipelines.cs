using System.Collections;
using DataWeaver.Cli.Run.Progress;
using DataWeaver.Configuration;

namespace DataWeaver.Cli.Run.Reload;

/// <summary>
/// The pipelines of a run session, which a reload changes while it runs: a changed pipeline is replaced in its place,
/// an added one joins at the end, a removed one leaves. Readers (the progress display, the stop controller, the
/// operations endpoint, the summary) see a consistent snapshot each time they enumerate. Once the session stops (a
/// stop signal, or every pipeline ended) it is closed: no reload adds or starts anything any more. Thread-safe.
/// </summary>
internal sealed class SessionPipelines : IReadOnlyList<ManagedPipeline>
{
    private readonly Lock _lock = new();
    private Entry[] _entries;
    private bool _closed;
    private Task? _reloading;

    /// <summary>Creates the set over the pipelines the session starts with.</summary>
    /// <param name="pipelines">The pipelines.</param>
    public SessionPipelines(IEnumerable<ManagedPipeline> pipelines) => _entries = [.. pipelines.Select(static p => new Entry(p, new ProgressTracker(p)))];

    /// <summary>Gets the progress trackers of the pipelines now, in display order (a reload keeps a replaced pipeline's row).</summary>
    public IReadOnlyList<ProgressTracker> Trackers => new TrackerView(this);

    /// <summary>Gets whether the session is closed: stopping or ended.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    /// <inheritdoc />
    public int Count => Volatile.Read(ref _entries).Length;

    /// <inheritdoc />
    public ManagedPipeline this[int index] => Volatile.Read(ref _entries)[index].Pipeline;

    /// <summary>Closes the session: reloads are refused from now on and pipelines are no longer added.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    /// <summary>Marks a reload as in progress, so the session does not end while a changed pipeline is between its old and its new run.</summary>
    /// <param name="reload">The reload's task.</param>
    /// <returns><see langword="false"/> when the session is closed: the reload must change nothing.</returns>
    public bool TryBeginReload(Task reload)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _reloading = reload;
            return true;
        }
    }

    /// <summary>Marks the reload as done.</summary>
    public void EndReload()
    {
        lock (_lock)
        {
            _reloading = null;
        }
    }

    /// <summary>
    /// Puts <paramref name="pipeline"/> in the place of the pipeline of the same name (or at the end when there is none)
    /// and starts it, unless the session closed meanwhile.
    /// </summary>
    /// <param name="pipeline">The new pipeline, not started.</param>
    /// <param name="start">Starts it.</param>
    /// <returns><see langword="false"/> when the session is closed (nothing was started).</returns>
    public bool PutAndStart(ManagedPipeline pipeline, Action<ManagedPipeline> start)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            var entry = new Entry(pipeline, new ProgressTracker(pipeline));
            var index = Array.FindIndex(_entries, e => e.Pipeline.Name == pipeline.Name);
            Volatile.Write(ref _entries, index < 0 ? [.. _entries, entry] : [.. _entries[..index], entry, .. _entries[(index + 1)..]]);
            start(pipeline); // under the lock: a stop that closes the session after this sees the pipeline and drains it
            return true;
        }
    }

    /// <summary>Takes a pipeline out of the session (it was removed from the file and has ended).</summary>
    /// <param name="name">The pipeline's name.</param>
    public void Remove(string name)
    {
        lock (_lock)
        {
            Volatile.Write(ref _entries, [.. _entries.Where(e => e.Pipeline.Name != name)]);
        }
    }

    /// <summary>
    /// Waits until every pipeline has ended and no reload is in progress (a pipeline drained by a reload to be started
    /// again does not end the session), then closes the session.
    /// </summary>
    /// <param name="ended">Waits for the given pipelines' ends (their hosts' completions, or the operations endpoint's view with its restarts).</param>
    /// <returns>A task that completes when the session's pipelines have all ended.</returns>
    public async Task WhenAllEndedAsync(Func<IReadOnlyList<ManagedPipeline>, Task> ended)
    {
        while (true)
        {
            var before = Volatile.Read(ref _entries);
            await ended([.. before.Select(static e => e.Pipeline)]).ConfigureAwait(false);
            Task? reloading;
            lock (_lock)
            {
                reloading = _reloading;
                if (reloading is null && ReferenceEquals(before, _entries))
                {
                    _closed = true;
                    return;
                }
            }

            if (reloading is not null)
            {
                await reloading.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public IEnumerator<ManagedPipeline> GetEnumerator() => Volatile.Read(ref _entries).Select(static e => e.Pipeline).GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed record Entry(ManagedPipeline Pipeline, ProgressTracker Tracker);

    /// <summary>The trackers, read afresh at each enumeration.</summary>
    private sealed class TrackerView(SessionPipelines owner) : IReadOnlyList<ProgressTracker>
    {
        public int Count => Volatile.Read(ref owner._entries).Length;

        public ProgressTracker this[int index] => Volatile.Read(ref owner._entries)[index].Tracker;

        public IEnumerator<ProgressTracker> GetEnumerator() => Volatile.Read(ref owner._entries).Select(static e => e.Tracker).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
