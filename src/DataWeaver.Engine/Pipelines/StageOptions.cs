namespace DataWeaver.Pipelines;

/// <summary>
/// Options of one block of a pipeline: a stage started with <see cref="PipelineBuilder{T}.Stage"/>,
/// <see cref="PipelineBuilder{T}.Parallel"/>, <see cref="PipelineBuilder{T}.Batch"/> or a sink. Copied at build.
/// </summary>
public sealed record StageOptions
{
    /// <summary>The largest accepted <see cref="DegreeOfParallelism"/>.</summary>
    public const int MaxDegreeOfParallelism = 256;

    /// <summary>Gets the stage name shown in graphs and errors.</summary>
    /// <value>The default is <see langword="null"/>: a name made from the stage kind and position.</value>
    public string? Name { get; init; }

    /// <summary>Gets how many workers process batches of this stage at once.</summary>
    /// <value>The default is 1; from 1 to 256.</value>
    public int DegreeOfParallelism { get; init; } = 1;

    /// <summary>Gets what the stage promises about output order when it has several workers.</summary>
    /// <value>The default is <see cref="StageOrdering.Ordered"/>. <see cref="StageOrdering.KeyOrdered"/> is set by <see cref="PipelineBuilder{T}.ParallelByKey"/>.</value>
    public StageOrdering Ordering { get; init; } = StageOrdering.Ordered;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>
    /// Gets how many payload bytes may wait at the stage's input. Checked before each batch is admitted,
    /// so it can be exceeded by at most one batch.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no byte bound at this stage (the pipeline's bound still applies). At least 1.</value>
    public long? CapacityBytes { get; init; }

    /// <summary>Gets the default options: one worker, ordered, default capacity.</summary>
    public static StageOptions Default { get; } = new();
}
