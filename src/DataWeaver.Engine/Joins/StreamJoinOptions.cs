namespace DataWeaver.Joins;

/// <summary>Which records a stream-stream join emits.</summary>
public enum StreamJoinKind
{
    /// <summary>One result per matching (left, right) pair, when the second of the two arrives.</summary>
    Inner,

    /// <summary>
    /// As <see cref="Inner"/>, plus one result per left record that matched nothing, with the right side's default, once
    /// the watermark has passed its time plus the window (no right record can match it any more) or the input ended.
    /// </summary>
    Left,
}

/// <summary>
/// Options of a stream-stream join (<see cref="Pipelines.StreamJoinPipelineBuilderExtensions.StreamJoin{T, TKey, TOut}"/>):
/// the window, the kind, the watermark and the state's byte budget. Copied when the stage is added.
/// </summary>
public sealed record StreamJoinOptions
{
    /// <summary>The default <see cref="StateBudgetBytes"/>: 256 MiB.</summary>
    public const long DefaultStateBudgetBytes = 256L * 1024 * 1024;

    /// <summary>Gets how far apart in event time a left and a right record with equal keys may be and still match (inclusive, either way).</summary>
    /// <value>The default is 1 minute; from 0 to 366 days.</value>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets which records the join emits.</summary>
    /// <value>The default is <see cref="StreamJoinKind.Inner"/>.</value>
    public StreamJoinKind Kind { get; init; } = StreamJoinKind.Inner;

    /// <summary>
    /// Gets how far behind the newest event time seen (over both sides) a record may be and still join. The watermark is
    /// that newest time minus this bound, moved record by record; a record older than the watermark is late: a
    /// <see cref="Windowing.LateRecordException"/> (a data error) for the stage's error policy. With merged sources it
    /// must also cover how far one source may run ahead of the other.
    /// </summary>
    /// <value>The default is 0; from 0 to 366 days.</value>
    public TimeSpan MaxOutOfOrderness { get; init; }

    /// <summary>
    /// Gets the bytes the buffered records may take (per record: about 100 bytes of bookkeeping, the record's share of
    /// its source batch's bytes, and a string key's characters). A record that would pass it fails the run with
    /// <see cref="JoinStateFullException"/> (fatal); nothing past the buffered records is committed.
    /// </summary>
    /// <value>The default is 256 MiB; from 64 KiB to 1 TiB.</value>
    public long StateBudgetBytes { get; init; } = DefaultStateBudgetBytes;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs and errors.</summary>
    /// <value>The default is <see langword="null"/>: <c>join</c> and the stage's position.</value>
    public string? Name { get; init; }
}
