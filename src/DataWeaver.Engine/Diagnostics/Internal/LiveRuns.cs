namespace DataWeaver.Diagnostics.Internal;

/// <summary>
/// The runs the observable instruments report: runs that have not ended, held until they end; and ended runs, held
/// weakly (while their pipeline lives) until a run of a pipeline of the same name starts, for the state gauge only.
/// Touched when runs start and end and when a listener collects; never on the hot path.
/// </summary>
internal static class LiveRuns
{
    private static readonly Lock s_lock = new();
    private static readonly List<RunMetrics> s_running = [];
    private static readonly List<WeakReference<RunMetrics>> s_ended = [];

    public static void Started(RunMetrics run)
    {
        lock (s_lock)
        {
            s_ended.RemoveAll(r => !r.TryGetTarget(out var ended) || ended.Pipeline == run.Pipeline);
            s_running.Add(run);
        }
    }

    public static void Ended(RunMetrics run)
    {
        lock (s_lock)
        {
            if (s_running.Remove(run))
            {
                s_ended.RemoveAll(r => !r.TryGetTarget(out var ended) || ended.Pipeline == run.Pipeline);
                s_ended.Add(new WeakReference<RunMetrics>(run));
            }
        }
    }

    /// <summary>Gets the runs that have not ended.</summary>
    public static RunMetrics[] Running()
    {
        lock (s_lock)
        {
            return [.. s_running];
        }
    }

    /// <summary>Gets the runs whose state is reported: those that have not ended, and the last ended run of each other pipeline name still alive.</summary>
    public static List<RunMetrics> WithState()
    {
        lock (s_lock)
        {
            List<RunMetrics> runs = [.. s_running];
            foreach (var reference in s_ended)
            {
                if (reference.TryGetTarget(out var ended) && !runs.Exists(r => r.Pipeline == ended.Pipeline))
                {
                    runs.Add(ended);
                }
            }

            return runs;
        }
    }
}
