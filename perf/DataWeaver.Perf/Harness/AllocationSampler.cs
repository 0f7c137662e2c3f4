using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace DataWeaver.Perf.Harness;

/// <summary>
/// What the timed iterations allocate, by type: the runtime's <c>GCAllocationTick</c> events (one per ~100 KB allocated,
/// naming the type of the allocation that crossed the mark), counted while <see cref="Sampling"/> is on. A sample, not
/// a census: a type seen N times allocated roughly N x 100 KB. Turned on by <c>--alloc-types</c>; prints to standard error.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, int> _ticks = new();

    /// <summary>Gets or sets a value indicating whether ticks are counted now.</summary>
    public bool Sampling { get; set; }

    /// <summary>Writes the most frequent types since the last report, then forgets them.</summary>
    public void Report(string peer, TextWriter log)
    {
        if (_ticks.IsEmpty)
        {
            return;
        }

        log.WriteLine($"    {peer}: allocation ticks (~100 KB each) by type");
        foreach (var (type, ticks) in _ticks.OrderByDescending(t => t.Value).Take(40))
        {
            log.WriteLine($"      {ticks,6} {type}");
        }

        _ticks.Clear();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick is verbose
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Sampling || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            return;
        }

        var index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        if (index >= 0 && eventData.Payload?[index] is string type)
        {
            _ticks.AddOrUpdate(type, 1, static (_, count) => count + 1);
        }
    }
}
