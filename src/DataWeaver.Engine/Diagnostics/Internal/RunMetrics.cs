using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using DataWeaver.Errors;
using DataWeaver.Internal;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Diagnostics.Internal;

/// <summary>
/// What one run reports: its blocks' counters (always kept, for <see cref="PipelineRun.Statistics"/>) and the
/// instruments of <see cref="EngineMeter"/> (added to only while enabled). Every hook is called once per batch, or
/// less often; none takes a lock or allocates.
/// </summary>
internal sealed class RunMetrics
{
    private readonly PipelineRun _run;
    private readonly CapacityGate _gate;
    private readonly TimeProvider _time;
    private readonly BlockCounters[] _blocks;
    private readonly Dictionary<object, BlockCounters> _owners;
    private readonly ConditionalWeakTable<Exception, object?> _countedErrors = [];
    private long _errors;

    public RunMetrics(PipelineRun run, PipelineGraph graph, IReadOnlyDictionary<object, string> owners, CapacityGate gate)
    {
        _run = run;
        _gate = gate;
        _time = run.Pipeline.Options.TimeProvider;
        Pipeline = run.Pipeline.Name;
        PipelineTag = new(DataWeaverTags.Pipeline, Pipeline);
        MaxInFlightRecords = run.Pipeline.Options.MaxInFlightRecords;
        _blocks = [.. graph.Blocks.Select(b => new BlockCounters(b, _time))];
        _owners = new(ReferenceEqualityComparer.Instance);
        foreach (var (owner, id) in owners)
        {
            _owners.Add(owner, Array.Find(_blocks, b => b.Block.Id == id)!);
        }
    }

    public string Pipeline { get; }

    public KeyValuePair<string, object?> PipelineTag { get; }

    public IReadOnlyList<BlockCounters> Blocks => _blocks;

    public PipelineState State => _run.State;

    public long RecordsInFlight => _gate.RecordsInFlight;

    public long BytesInFlight => _gate.Bytes;

    public long MaxInFlightRecords { get; }

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Gets the counters of the block a plan node described (its Describe passed itself as the owner).</summary>
    public BlockCounters? Block(object owner) => _owners.GetValueOrDefault(owner);

    /// <summary>Gets the records read and not yet covered by a commit, over every partition.</summary>
    public long CommitLag()
    {
        long lag = 0;
        foreach (var partition in _run.Tracker?.Progress() ?? [])
        {
            lag += partition.Read - partition.Committed;
        }

        return lag;
    }

    public void ObserveCommitLag(List<Measurement<long>> measurements)
    {
        foreach (var partition in _run.Tracker?.Progress() ?? [])
        {
            measurements.Add(new(partition.Read - partition.Committed, PipelineTag, new(DataWeaverTags.Partition, partition.Partition)));
        }
    }

    /// <summary>A source batch was read.</summary>
    public void SourceRead(int records, long bytes)
    {
        if (EngineMeter.RecordsIn.Enabled)
        {
            EngineMeter.RecordsIn.Add(records, PipelineTag);
        }

        if (bytes != 0 && EngineMeter.BytesIn.Enabled)
        {
            EngineMeter.BytesIn.Add(bytes, PipelineTag);
        }
    }

    /// <summary>A sink batch was written.</summary>
    public void SinkWritten(string sink, int records, long bytes)
    {
        if (records == 0)
        {
            return; // every record of the batch was dropped by the sink's error policy
        }

        if (EngineMeter.RecordsOut.Enabled)
        {
            EngineMeter.RecordsOut.Add(records, PipelineTag, new(DataWeaverTags.Sink, sink));
        }

        if (bytes != 0 && EngineMeter.BytesOut.Enabled)
        {
            EngineMeter.BytesOut.Add(bytes, PipelineTag, new(DataWeaverTags.Sink, sink));
        }
    }

    /// <summary>Counts an error; an exception already counted (the same object rethrown to fail the run) is not counted twice.</summary>
    public void Error(string stage, ErrorClass errorClass, Exception? exception = null)
    {
        if (exception is not null && !_countedErrors.TryAdd(exception, null))
        {
            return;
        }

        Interlocked.Increment(ref _errors);
        if (EngineMeter.Errors.Enabled)
        {
            EngineMeter.Errors.Add(1, PipelineTag, new(DataWeaverTags.Stage, stage), new(DataWeaverTags.ErrorClass, EngineMeter.TagOf(errorClass)));
        }
    }

    public void Retried(string stage, int retries) => AddPerStage(EngineMeter.Retries, stage, retries);

    public void DeadLettered(string stage, int records) => AddPerStage(EngineMeter.DeadLettered, stage, records);

    public void Skipped(string stage, int records) => AddPerStage(EngineMeter.Skipped, stage, records);

    public void Unrouted(string stage, int records) => AddPerStage(EngineMeter.Unrouted, stage, records);

    /// <summary>A source batch read at <paramref name="readTimestamp"/> was acknowledged by every sink it went to.</summary>
    public void Acknowledged(long readTimestamp)
    {
        if (EngineMeter.Latency.Enabled)
        {
            EngineMeter.Latency.Record(_time.GetElapsedTime(readTimestamp).TotalSeconds, PipelineTag);
        }
    }

    public void Committed()
    {
        if (EngineMeter.Commits.Enabled)
        {
            EngineMeter.Commits.Add(1, PipelineTag);
        }
    }

    public IReadOnlyList<BlockStatistics> ReadBlocks()
    {
        var blocks = new BlockStatistics[_blocks.Length];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = _blocks[i].Read();
        }

        return blocks;
    }

    private void AddPerStage(Counter<long> counter, string stage, int value)
    {
        if (value != 0 && counter.Enabled)
        {
            counter.Add(value, PipelineTag, new(DataWeaverTags.Stage, stage));
        }
    }
}
