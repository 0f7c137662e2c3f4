using System.Collections.Concurrent;
using System.Diagnostics;

namespace DataWeaver.Tracing.Tests.Support;

/// <summary>
/// An <see cref="ActivityListener"/> on the DataWeaver source that keeps every span when it stops. Samples parent-based:
/// a span with a parent follows the parent's sampled flag; a new trace is sampled when the constructor says so.
/// Listeners are process-wide: tests pick their spans by trace id or pipeline name.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(bool sampleRoots = true)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DataWeaverActivitySource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent != default
                    ? (options.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None
                    : sampleRoots ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _stopped];

    /// <summary>The stopped spans of one trace.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => [.. _stopped.Where(a => a.TraceId == traceId)];

    /// <summary>The stopped batch spans of one pipeline.</summary>
    public IReadOnlyList<Activity> Batches(string pipeline) =>
        [.. _stopped.Where(a => a.OperationName == DataWeaverActivitySource.BatchOperation && (string?)a.GetTagItem("dataweaver.pipeline") == pipeline)];

    /// <summary>Waits until <paramref name="done"/> holds over the stopped spans (spans stop on other threads, after the records arrived).</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<Activity>, bool> done, TimeSpan guard)
    {
        var limit = Stopwatch.StartNew();
        while (!done(Spans))
        {
            Assert.True(limit.Elapsed < guard, $"the spans did not arrive within {guard.TotalSeconds:N0} s ({Spans.Count} stopped)");
            await Task.Delay(10);
        }
    }

    public void Dispose() => _listener.Dispose();
}
