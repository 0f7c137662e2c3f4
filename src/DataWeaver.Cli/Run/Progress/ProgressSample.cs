using DataWeaver.Configuration;
using DataWeaver.Connectors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Cli.Run.Progress;

/// <summary>One block of a pipeline at one reading: how full its input is and how busy its workers were since the reading before.</summary>
/// <param name="Id">The block id (<c>b0</c>, <c>b1</c>, ...).</param>
/// <param name="Name">The block's name.</param>
/// <param name="Kind">What the block does.</param>
/// <param name="QueueFill">Its input's fill, 0 to 1.</param>
/// <param name="Busy">The share of the interval its workers were busy, 0 to 1.</param>
internal sealed record BlockSample(string Id, string Name, GraphBlockKind Kind, double QueueFill, double Busy);

/// <summary>A pipeline at one reading: its state, counters and rates since the reading before.</summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="State">Its state.</param>
/// <param name="Statistics">Its counters.</param>
/// <param name="InPerSecond">Records read per second since the reading before.</param>
/// <param name="OutPerSecond">Records written per second since the reading before.</param>
/// <param name="Blocks">Its blocks, in graph order.</param>
internal sealed record ProgressSample(string Name, PipelineState State, PipelineStatistics Statistics, double InPerSecond, double OutPerSecond, IReadOnlyList<BlockSample> Blocks)
{
    /// <summary>A run younger than this shows no rates and no estimate: they would be noise.</summary>
    public static readonly TimeSpan SteadyAfter = TimeSpan.FromSeconds(1);

    /// <summary>Gets the block whose workers were busiest, the likely bottleneck; <see langword="null"/> before the first batch.</summary>
    public BlockSample? Busiest => Blocks.Count == 0 ? null : Blocks.MaxBy(b => b.Busy);

    /// <summary>Gets the most source records the pipeline keeps in flight (<see cref="PipelineOptions.MaxInFlightRecords"/>).</summary>
    public long InFlightBound { get; init; }

    /// <summary>Gets how far the source has read of what it knows it has (a file's bytes, a generator's count), or <see langword="null"/> when it cannot know.</summary>
    public SourceProgress? Source { get; init; }

    /// <summary>Gets a value indicating whether the run is long enough for rates and estimates to mean something.</summary>
    public bool IsSteady => Statistics.Elapsed >= SteadyAfter;

    /// <summary>Gets the estimated time left: the time so far times what is left over what is done; <see langword="null"/> without a known size, early in the run, or once it ended.</summary>
    public TimeSpan? Remaining => Source is { Fraction: > 0 and < 1 and var done } && IsSteady && State is PipelineState.Running
        ? Statistics.Elapsed * ((1 - done) / done)
        : null;
}

/// <summary>Reads a pipeline's statistics and turns two consecutive readings into rates and busy shares.</summary>
/// <param name="pipeline">The pipeline, started.</param>
internal sealed class ProgressTracker(ManagedPipeline pipeline)
{
    private PipelineStatistics _previous;
    private SourceProgress? _lastSource;

    /// <summary>Gets the pipeline.</summary>
    public ManagedPipeline Pipeline => pipeline;

    /// <summary>Reads the statistics now and computes the rates since the last call (since the start, the first time).</summary>
    /// <returns>The sample.</returns>
    public ProgressSample Sample()
    {
        var state = pipeline.State; // before the counters: an ended state comes with final counters
        var current = pipeline.LastRun?.Statistics ?? default;
        var interval = current.Elapsed - _previous.Elapsed;
        var seconds = interval.TotalSeconds;
        var previousBlocks = _previous.Blocks;
        var blocks = current.Blocks.Select((b, i) => new BlockSample(
            b.Id,
            b.Name,
            b.Kind,
            b.QueueFill,
            i < previousBlocks.Count ? b.BusyShareSince(previousBlocks[i], interval) : b.BusyShareSince(default, current.Elapsed))).ToList();
        var sample = new ProgressSample(
            pipeline.Name,
            state,
            current,
            seconds > 0 ? (current.RecordsRead - _previous.RecordsRead) / seconds : 0,
            seconds > 0 ? (current.RecordsWritten - _previous.RecordsWritten) / seconds : 0,
            blocks)
        {
            InFlightBound = pipeline.Pipeline.Options.MaxInFlightRecords,
            Source = _lastSource = (pipeline.Pipeline.Source as ISourceProgress)?.Progress ?? _lastSource, // the last known once the source closed
        };
        _previous = current;
        return sample;
    }
}
