using System.Diagnostics;

namespace DataWeaver.Perf.Workloads.W5Backpressure;

/// <summary>W5's record: a sequence number and the <see cref="Stopwatch"/> timestamp taken when the source made it.</summary>
internal readonly record struct Stamped(long Sequence, long Stamp);

/// <summary>
/// The sink side of W5, shared by every peer: a flush of a batch takes 200 us (<see cref="PreciseWait"/>); when it
/// returns, each record of the batch gets its end-to-end latency (now minus its source stamp), kept in an array
/// allocated before timing. Percentiles are computed after the timed run. Every peer makes its records with
/// <see cref="Stamp"/>, so each flush also samples how many records were made and not yet flushed: the peak of that is
/// the direct evidence of a bound (the working set says less: the GC heap reuses memory it already holds).
/// </summary>
internal sealed class FlushLog(long records)
{
    public const int BatchSize = 1000;
    public static readonly long FlushTicks = Stopwatch.Frequency / 5000; // 200 us

    private readonly long[] _latencies = new long[records];
    private readonly long[] _sorted = new long[records];
    private long _flushed;
    private long _created;
    private long _peakInFlight;
    private long _flushes;
    private long _flushTicks;

    public long Flushed => Volatile.Read(ref _flushed);

    /// <summary>Makes record <paramref name="sequence"/> (0, 1, 2, ... in order), stamped now.</summary>
    public Stamped Stamp(long sequence)
    {
        Volatile.Write(ref _created, sequence + 1);
        return new Stamped(sequence, Stopwatch.GetTimestamp());
    }

    public void Reset()
    {
        Volatile.Write(ref _flushed, 0);
        Volatile.Write(ref _created, 0);
        _peakInFlight = 0;
        _flushes = 0;
        _flushTicks = 0;
    }

    /// <summary>Flushes one batch (one caller at a time).</summary>
    public void Flush(ReadOnlySpan<Stamped> batch)
    {
        _peakInFlight = Math.Max(_peakInFlight, Volatile.Read(ref _created) - _flushed);
        var started = Stopwatch.GetTimestamp();
        PreciseWait.Until(started + FlushTicks);
        var done = Stopwatch.GetTimestamp();
        _flushTicks += done - started;
        _flushes++;
        foreach (var record in batch)
        {
            _latencies[record.Sequence] = done - record.Stamp;
        }

        Volatile.Write(ref _flushed, _flushed + batch.Length);
    }

    /// <summary>Latency percentiles in microseconds, the mean flush and batch, after a run of every record.</summary>
    public Dictionary<string, double> Summary()
    {
        var sorted = _sorted;
        _latencies.CopyTo(sorted, 0);
        Array.Sort(sorted);
        double Micros(double quantile) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1)] * 1e6 / Stopwatch.Frequency;
        return new Dictionary<string, double>
        {
            ["p50LatencyMicros"] = Micros(0.50),
            ["p99LatencyMicros"] = Micros(0.99),
            ["p999LatencyMicros"] = Micros(0.999),
            ["maxLatencyMicros"] = Micros(1.0),
            ["meanFlushMicros"] = _flushTicks * 1e6 / Stopwatch.Frequency / Math.Max(1, _flushes),
            ["meanBatchRecords"] = sorted.Length / (double)Math.Max(1, _flushes),
            ["peakRecordsInFlight"] = _peakInFlight,
        };
    }
}
