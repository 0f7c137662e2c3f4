namespace DataWeaver.Deduplication;

/// <summary>
/// Options of a de-duplication stage (<see cref="Pipelines.DeduplicationPipelineBuilderExtensions.Deduplicate{T, TKey}"/>):
/// how long a key is remembered and how many keys at most. Copied when the stage is added.
/// </summary>
public sealed record DeduplicationOptions
{
    /// <summary>The largest accepted <see cref="MaxKeys"/>.</summary>
    public const int MaxKeysLimit = 100_000_000;

    /// <summary>
    /// Gets how long a key is remembered after the record that first carried it passed (processing time, on
    /// <see cref="Pipelines.PipelineOptions.TimeProvider"/>). Later records with the key are dropped within that time;
    /// duplicates do not extend it.
    /// </summary>
    /// <value>The default is 10 minutes; positive.</value>
    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets how many keys the stage remembers at most (its memory bound: about 50 bytes per key plus the key itself).
    /// When a new key arrives at the bound, the key remembered longest is forgotten before its time to live ends, so a
    /// later duplicate of that key passes. Records are never held back or dropped for lack of room.
    /// </summary>
    /// <value>The default is 1,000,000; from 1 to 100,000,000.</value>
    public int MaxKeys { get; init; } = 1_000_000;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs and errors.</summary>
    /// <value>The default is <see langword="null"/>: <c>dedup</c> and the stage's position.</value>
    public string? Name { get; init; }
}
