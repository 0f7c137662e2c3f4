using DataWeaver.Internal.Operators;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>What a block of fused per-record operators is made of, with its bounds resolved.</summary>
internal sealed class SegmentSpec
{
    private readonly FusableStep?[] _steps;

    public SegmentSpec(string name, IReadOnlyList<OperatorDefinition> operators, StageOptions stage, object? partitioner, PipelineOptions pipeline)
    {
        Name = name;
        Operators = operators;
        _steps = [.. operators.Select(static o => o.Step)];
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

    /// <summary>
    /// Creates one worker's operators: runs of consecutive maps and filters (up to <see cref="FusionChain.MaxSteps"/>)
    /// become one <see cref="FusedChainOperator{TIn, TOut, TChain}"/> each; any other operator stays as it is.
    /// </summary>
    public BatchOperator[] CreateOperators(Runtime.RunContext run)
    {
        List<BatchOperator> operators = [];
        for (var start = 0; start < Operators.Count;)
        {
            var end = start;
            while (end < Operators.Count && end - start < FusionChain.MaxSteps && _steps[end] is not null)
            {
                end++;
            }

            if (end - start < 2)
            {
                operators.Add(Operators[start].CreateOperator(run));
                start++;
                continue;
            }

            var hasErrorPolicy = false;
            for (var i = start; i < end; i++)
            {
                hasErrorPolicy |= Operators[i].HasErrorHandler(run);
            }

            // Under an error policy the steps' own operators take over a batch from its first failing record.
            BatchOperator[] unfused = hasErrorPolicy ? [.. Operators.Skip(start).Take(end - start).Select(o => o.CreateOperator(run))] : [];
            var fused = new FusionChain(_steps, start, end, unfused, hasErrorPolicy).Compose();
            fused.Run = run;
            operators.Add(fused);
            start = end;
        }

        return [.. operators];
    }
}

internal static class Bounds
{
    /// <summary>Turns a capacity in records into a block bound in batches: rounded up, at least the degree of parallelism.</summary>
    public static int BlockCapacity(int records, int batchSize, int degreeOfParallelism) =>
        Math.Max((int)Math.Min(int.MaxValue, ((long)records + batchSize - 1) / batchSize), degreeOfParallelism);
}
