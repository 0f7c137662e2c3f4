namespace DataWeaver.AsyncMap;

/// <summary>
/// Options of an asynchronous map (<see cref="Pipelines.AsyncMapPipelineBuilderExtensions.MapAsync{T, TOut}"/>): how many
/// calls run at once and whether records leave in input order. Copied when the stage is added.
/// </summary>
public sealed record AsyncMapOptions
{
    /// <summary>The largest accepted <see cref="MaxConcurrency"/>.</summary>
    public const int MaxConcurrencyLimit = 4096;

    /// <summary>Gets the default options: 16 calls at once, input order kept.</summary>
    public static AsyncMapOptions Default { get; } = new();

    /// <summary>Gets how many calls run at once, across every batch in the stage.</summary>
    /// <value>The default is 16; from 1 to 4,096.</value>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>
    /// Gets a value indicating whether records leave the stage in input order. When <see langword="false"/>, a batch
    /// whose calls are all done goes on without waiting for earlier batches (records within a batch keep their order),
    /// so one slow call holds up only its own batch.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool PreserveOrder { get; init; } = true;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs, errors and dead letters.</summary>
    /// <value>The default is <see langword="null"/>: <c>mapAsync</c> and the stage's position.</value>
    public string? Name { get; init; }
}
