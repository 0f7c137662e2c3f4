using DataWeaver.Pipelines;

namespace DataWeaver.Configuration;

/// <summary>How many workers run a pipeline's transforms, and what they promise about order (<c>parallelism:</c>). Immutable.</summary>
public sealed record ParallelismDefinition
{
    /// <summary>Gets the number of workers (or key lanes).</summary>
    /// <value>The default is 1: no parallel stage.</value>
    public int Degree { get; init; } = 1;

    /// <summary>Gets the output order.</summary>
    /// <value>The default is <see cref="StageOrdering.Ordered"/>.</value>
    public StageOrdering Ordering { get; init; } = StageOrdering.Ordered;

    /// <summary>Gets the field whose value picks a record's lane, for <see cref="StageOrdering.KeyOrdered"/>.</summary>
    /// <value>The default is <see langword="null"/>; required with key-ordered.</value>
    public string? Key { get; init; }
}
