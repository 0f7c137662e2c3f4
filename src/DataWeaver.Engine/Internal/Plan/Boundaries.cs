using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>A block of per-record operators with a degree of parallelism and an ordering.</summary>
internal sealed class StageBoundary<T>(string kind, string? name, StageOptions options, bool implicitHead = false)
    : BoundaryDefinition(kind, name, options)
{
    public override PlanNode Compile(IReadOnlyList<OperatorDefinition> operators, PlanNode next, PipelineOptions options)
    {
        // An implicit head with nothing to do adds no block: the source feeds the next node directly.
        if (implicitHead && operators.Count == 0)
        {
            return next;
        }

        // An implicit block is named after its first operator.
        var name = implicitHead ? operators[0].DisplayName : DisplayName;
        return next.CreateSegment<T>(new SegmentSpec(name, operators, Options, partitioner: null, options));
    }

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        if (Options.Ordering == StageOrdering.KeyOrdered)
        {
            yield return $"Stage '{DisplayName}': Ordering KeyOrdered needs a key; use ParallelByKey(degree, keySelector).";
        }
    }
}

/// <summary>A block of per-record operators running in key-ordered lanes.</summary>
internal sealed class KeyedBoundary<T, TKey>(string? name, StageOptions options, Func<T, TKey> keySelector)
    : BoundaryDefinition("lanes", name, options with { Ordering = StageOrdering.KeyOrdered })
{
    public override PlanNode Compile(IReadOnlyList<OperatorDefinition> operators, PlanNode next, PipelineOptions options) =>
        next.CreateSegment<T>(new SegmentSpec(DisplayName, operators, Options, new KeyPartitioner<T, TKey>(keySelector), options));
}

/// <summary>Re-cuts the stream into batches of a given size or time window.</summary>
internal sealed class BatchBoundary<T>(string? name, StageOptions options, int size, TimeSpan? window)
    : BoundaryDefinition("batch", name, options)
{
    public const int MaxSize = 1_000_000;

    public int Size { get; } = size;

    public TimeSpan? Window { get; } = window;

    public override PlanNode Compile(IReadOnlyList<OperatorDefinition> operators, PlanNode next, PipelineOptions options)
    {
        var after = operators.Count == 0
            ? next
            : next.CreateSegment<T>(new SegmentSpec(operators[0].DisplayName, operators, StageOptions.Default, partitioner: null, options));
        return new BatchPlan<T>(this, (PlanNode<T>)after, options);
    }

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        if (Size is < 1 or > MaxSize)
        {
            yield return $"Stage '{DisplayName}': batch size must be from 1 to {MaxSize} (was {Size}).";
        }

        if (Size > options.MaxInFlightRecords)
        {
            yield return $"Stage '{DisplayName}': batch size {Size} is above PipelineOptions.MaxInFlightRecords ({options.MaxInFlightRecords}), so its batches could never fill; raise MaxInFlightRecords or lower the size.";
        }

        if (Window is { } window && window <= TimeSpan.Zero)
        {
            yield return $"Stage '{DisplayName}': batch window must be positive (was {window}).";
        }
    }
}
