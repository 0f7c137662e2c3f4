using DataWeaver.Internal.Operators;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>What a block of fused per-record operators is made of, with its bounds resolved.</summary>
internal sealed class SegmentSpec
{
    public SegmentSpec(string name, IReadOnlyList<OperatorDefinition> operators, StageOptions stage, object? partitioner, PipelineOptions pipeline)
    {
        Name = name;
        Operators = operators;
        DegreeOfParallelism = stage.DegreeOfParallelism;
        Ordering = stage.DegreeOfParallelism == 1 && stage.Ordering != StageOrdering.KeyOrdered ? StageOrdering.Ordered : stage.Ordering;
        Partitioner = partitioner;
        CapacityRecords = stage.Capacity ?? pipeline.DefaultStageCapacity;
        CapacityBytes = stage.CapacityBytes;
        // Key-ordered lanes are bounded by the pipeline's in-flight bound only (see KeyedLanesNode).
        BoundedCapacity = Ordering == StageOrdering.KeyOrdered ? 0 : Bounds.BlockCapacity(CapacityRecords, pipeline.BatchSize, DegreeOfParallelism);
    }

    public string Name { get; }

    public IReadOnlyList<OperatorDefinition> Operators { get; }

    public int DegreeOfParallelism { get; }

    public StageOrdering Ordering { get; }

    /// <summary>Gets the key partitioner (an <see cref="IBatchPartitioner{T}"/>) of key-ordered lanes.</summary>
    public object? Partitioner { get; }

    public int CapacityRecords { get; }

    public long? CapacityBytes { get; }

    /// <summary>Gets the Dataflow block bound, in batches.</summary>
    public int BoundedCapacity { get; }

    public BatchOperator[] CreateOperators(Runtime.RunContext run) => [.. Operators.Select(o => o.CreateOperator(run))];
}

internal static class Bounds
{
    /// <summary>Turns a capacity in records into a block bound in batches: rounded up, at least the degree of parallelism.</summary>
    public static int BlockCapacity(int records, int batchSize, int degreeOfParallelism) =>
        Math.Max((int)Math.Min(int.MaxValue, ((long)records + batchSize - 1) / batchSize), degreeOfParallelism);
}
