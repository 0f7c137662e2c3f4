using DataWeaver.Pipelines;

namespace DataWeaver.Diagnostics;

/// <summary>
/// One block of a running pipeline, read at one moment: how full its input is and how much work it did. Blocks
/// come in the order and with the ids and names of <see cref="Pipeline.Describe"/>. Read them through
/// <see cref="PipelineStatistics.Blocks"/>; compare two readings to get rates and busy shares.
/// </summary>
public readonly record struct BlockStatistics
{
    /// <summary>Gets the block id, as in <see cref="GraphBlock.Id"/> (<c>b0</c>, <c>b1</c>, ...).</summary>
    public string Id { get; init; }

    /// <summary>Gets the block's name, as in <see cref="GraphBlock.Name"/>.</summary>
    public string Name { get; init; }

    /// <summary>Gets what the block does.</summary>
    public GraphBlockKind Kind { get; init; }

    /// <summary>Gets how many workers the block runs (lanes, for key-ordered blocks).</summary>
    public int DegreeOfParallelism { get; init; }

    /// <summary>Gets the batches waiting at the block's input (0 for the source and fan-outs, which have no queue).</summary>
    public int QueuedBatches { get; init; }

    /// <summary>Gets the records waiting at the block's input.</summary>
    public long QueuedRecords { get; init; }

    /// <summary>Gets the block's input bound in batches, as in <see cref="GraphBlock.BoundedCapacity"/>; 0 when the block has no bound of its own.</summary>
    public int CapacityBatches { get; init; }

    /// <summary>Gets the block's configured input capacity in records, as in <see cref="GraphBlock.CapacityRecords"/>.</summary>
    public int CapacityRecords { get; init; }

    /// <summary>Gets the records the block took in so far: read (source), passed on (fan-out), processed (transform, batch) or handed to the sink's write.</summary>
    public long RecordsProcessed { get; init; }

    /// <summary>
    /// Gets the time the block's workers spent working so far, summed over its workers: reading (the source's
    /// <c>FillAsync</c>), running operators, or writing (the sink's whole write, I/O included). Time spent waiting for
    /// input or for room downstream (backpressure) is not counted. Measured per batch with the pipeline's TimeProvider.
    /// </summary>
    public TimeSpan BusyTime { get; init; }

    /// <summary>Gets how full the input is: <see cref="QueuedBatches"/> / <see cref="CapacityBatches"/>, from 0 to 1; 0 when the block has no bound.</summary>
    public double QueueFill => CapacityBatches <= 0 ? 0 : Math.Clamp((double)QueuedBatches / CapacityBatches, 0, 1);

    /// <summary>
    /// Gets the share of <paramref name="interval"/> the block's workers were busy since <paramref name="earlier"/>: the
    /// busy time added, divided by the interval and the degree of parallelism, from 0 to 1. A block near 1 is the bottleneck.
    /// </summary>
    /// <param name="earlier">A reading of the same block taken <paramref name="interval"/> before this one.</param>
    /// <param name="interval">The time between the two readings; see <see cref="PipelineStatistics.Elapsed"/>.</param>
    /// <returns>The busy share; 0 when the interval is not positive.</returns>
    public double BusyShareSince(BlockStatistics earlier, TimeSpan interval) =>
        interval <= TimeSpan.Zero ? 0 : Math.Clamp((BusyTime - earlier.BusyTime) / (interval * Math.Max(1, DegreeOfParallelism)), 0, 1);
}
