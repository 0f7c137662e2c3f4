namespace DataWeaver.Joins;

/// <summary>What a lookup join does with a record whose key is not in the table.</summary>
public enum LookupMissingKey
{
    /// <summary>The record goes on, joined with the value type's default (<see langword="null"/> for a class): a left join.</summary>
    PassThrough,

    /// <summary>The record is dropped and counts as handled (in <see cref="Pipelines.PipelineStatistics.RecordsFiltered"/>): an inner join.</summary>
    Drop,

    /// <summary>
    /// The record fails with a <see cref="LookupKeyNotFoundException"/> (a data error) and goes to the stage's error
    /// policy: <c>OnError(e =&gt; e.DeadLetterTo(sink))</c> dead-letters it, <c>Skip()</c> counts and drops it, and the
    /// default policy (fail) stops the pipeline.
    /// </summary>
    DeadLetter,
}

/// <summary>
/// Options of a lookup join (<see cref="Pipelines.LookupJoinPipelineBuilderExtensions.LookupJoin{T, TKey, TValue, TOut}"/>):
/// refresh, missing keys, the table's byte budget. Copied when the stage is added.
/// </summary>
public sealed record LookupJoinOptions
{
    /// <summary>The default <see cref="StateBudgetBytes"/>: 256 MiB.</summary>
    public const long DefaultStateBudgetBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Gets how often the table is loaded again (on <see cref="Pipelines.PipelineOptions.TimeProvider"/>). The new table is
    /// loaded beside the current one, which keeps serving records, and replaces it in one step once complete: every
    /// input batch is joined against one table version. A refresh that fails keeps the current table (the error is
    /// counted for the stage) and is tried again at the next interval.
    /// </summary>
    /// <value>The default is <see langword="null"/>: loaded once when the run starts. At least 1 ms.</value>
    public TimeSpan? RefreshInterval { get; init; }

    /// <summary>Gets what happens to a record whose key is not in the table.</summary>
    /// <value>The default is <see cref="LookupMissingKey.PassThrough"/>.</value>
    public LookupMissingKey OnMissing { get; init; } = LookupMissingKey.PassThrough;

    /// <summary>
    /// Gets the bytes the table may take, estimated per entry (the dictionary entry twice, for its growth, plus a string
    /// key's or value's characters, or <see cref="BytesPerEntry"/>). With a <see cref="RefreshInterval"/>, a refresh
    /// holds two tables at once, so the table may take at most half the budget. A load that passes it fails the run
    /// with <see cref="JoinStateFullException"/> (fatal), before any record is joined against an incomplete table.
    /// </summary>
    /// <value>The default is 256 MiB; from 64 KiB to 1 TiB.</value>
    public long StateBudgetBytes { get; init; } = DefaultStateBudgetBytes;

    /// <summary>
    /// Gets the bytes every entry counts, when set: for values whose heap size the default estimate cannot see (objects
    /// holding arrays or collections).
    /// </summary>
    /// <value>The default is <see langword="null"/>: the dictionary entry twice, plus 24 + 2 bytes a character for a string key or value and 32 for another object. From 1 byte.</value>
    public long? BytesPerEntry { get; init; }

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs and errors.</summary>
    /// <value>The default is <see langword="null"/>: <c>lookup</c> and the stage's position.</value>
    public string? Name { get; init; }
}
