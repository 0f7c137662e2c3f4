namespace DataWeaver.Windowing;

/// <summary>
/// Options of a window stage (<see cref="Pipelines.WindowPipelineBuilderExtensions"/>): the kind of window and its
/// sizes, how out of order event times may arrive and how late a record may still update an emitted window, the
/// state's byte budget, and the optional aggregates. Copied when the stage is added.
/// </summary>
public sealed record WindowOptions
{
    /// <summary>The default <see cref="StateBudgetBytes"/>: 256 MiB.</summary>
    public const long DefaultStateBudgetBytes = 256L * 1024 * 1024;

    /// <summary>The default <see cref="SpillMaxBytes"/>: 16 GiB.</summary>
    public const long DefaultSpillMaxBytes = 16L * 1024 * 1024 * 1024;

    /// <summary>The largest accepted <see cref="CollectLimit"/>.</summary>
    public const int MaxCollectLimit = 1_000_000;

    /// <summary>Gets the kind of window.</summary>
    /// <value>The default is <see cref="WindowKind.Tumbling"/>.</value>
    public WindowKind Kind { get; init; } = WindowKind.Tumbling;

    /// <summary>Gets the window size of tumbling and hopping windows. Windows are aligned to the Unix epoch.</summary>
    /// <value>The default is 1 minute; from 1 millisecond to 366 days. Not used by session windows.</value>
    public TimeSpan Size { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets how far apart hopping windows start.</summary>
    /// <value>
    /// The default is <see langword="null"/>: <see cref="Size"/> (tumbling). From 1 millisecond to <see cref="Size"/>;
    /// at most 1,000 windows per record (Size / Hop). Only for <see cref="WindowKind.Hopping"/>.
    /// </value>
    public TimeSpan? Hop { get; init; }

    /// <summary>Gets the inactivity gap that ends a session: a session ends this long after its last record.</summary>
    /// <value>The default is 1 minute; from 1 millisecond to 366 days. Only for <see cref="WindowKind.Session"/>.</value>
    public TimeSpan Gap { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets how far behind the newest event time seen a record's event time may be (event time only). The watermark is
    /// the newest event time seen minus this; a window is emitted once the watermark reaches its end.
    /// </summary>
    /// <value>The default is zero: records must come in event-time order.</value>
    public TimeSpan MaxOutOfOrderness { get; init; }

    /// <summary>
    /// Gets how long after a window was emitted (by the watermark) a record may still update it (event time only). A
    /// record for an emitted window within this updates the window, which is emitted again with the complete updated
    /// aggregates (<see cref="WindowResult{TKey}.IsUpdate"/> true) at the end of the input batch; a record for a window
    /// whose end plus this is at or behind the watermark is late: a <see cref="LateRecordException"/> (a data error) for
    /// the stage's error policy (dead-letter, skip or fail).
    /// </summary>
    /// <value>The default is zero: a window is final when first emitted. From zero to 366 days.</value>
    public TimeSpan AllowedLateness { get; init; }

    /// <summary>
    /// Gets the byte budget of the stage's state: an estimate of the memory its open windows, keys and aggregates take
    /// (per (window, key) entry: the dictionary entry, the key, the accumulator and what it holds; per session its
    /// object; per held source batch a reference). When a new record would take the state past it, the pipeline fails
    /// with <see cref="WindowStateFullException"/> naming the budget (a fatal error; nothing is committed past the
    /// records of open windows, so a restart with a larger budget loses nothing). Records are never dropped for room.
    /// </summary>
    /// <value>The default is 256 MiB; from 64 KiB to 1 TiB.</value>
    public long StateBudgetBytes { get; init; } = DefaultStateBudgetBytes;

    /// <summary>Gets the most open (window, key) aggregates (sessions for session windows), a bound beside the byte budget.</summary>
    /// <value>The default is <see langword="null"/>: only <see cref="StateBudgetBytes"/> bounds the state. From 1 to 100,000,000.</value>
    public int? MaxKeys { get; init; }

    /// <summary>Gets whether the built-in aggregates include the exact number of distinct values (<see cref="WindowResult{TKey}.DistinctCount"/>).</summary>
    /// <value>The default is <see langword="false"/>: each distinct value costs about 40 bytes of state.</value>
    public bool DistinctCount { get; init; }

    /// <summary>
    /// Gets the precision of the approximate number of distinct values (<see cref="WindowResult{TKey}.ApproximateDistinctCount"/>),
    /// a <see cref="HyperLogLogSketch"/> per key and window: 2^precision bytes of state each, whatever the values, with a
    /// relative standard error of 1.04 / sqrt(2^precision) (12: 4 KiB, 1.6 %; 14: 16 KiB, 0.8 %).
    /// </summary>
    /// <value>The default is <see langword="null"/>: not computed. From 4 to 18.</value>
    public int? ApproximateDistinctPrecision { get; init; }

    /// <summary>
    /// Gets how many values the built-in aggregates collect per key and window (<see cref="WindowResult{TKey}.Values"/>),
    /// the first ones in arrival order; further values are counted in <see cref="WindowResult{TKey}.Count"/> only.
    /// </summary>
    /// <value>The default is 0: no values are collected. From 0 to 1,000,000.</value>
    public int CollectLimit { get; init; }

    /// <summary>
    /// Gets how often an open window's current results go out early: after every this many records the stage takes, each
    /// key whose aggregate changed since its last result in a window still open is emitted with
    /// <see cref="WindowResult{TKey}.IsEarly"/> true; the final result follows when the window closes, unchanged by this.
    /// For sinks that upsert by (key, window start): they show a count growing until the final one. Tumbling and hopping
    /// windows.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no early results. From 1 to 100,000,000.</value>
    public int? EarlyResultEvery { get; init; }

    /// <summary>
    /// Gets how often, in processing time (the pipeline's TimeProvider), an open window's changed results go out early
    /// (see <see cref="EarlyResultEvery"/>): checked at the end of each input batch.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no early results by time. From 1 millisecond to 1 day.</value>
    public TimeSpan? EarlyResultInterval { get; init; }

    /// <summary>
    /// Gets whether the stage's state (its open windows, their aggregates and the watermark) is checkpointed with the
    /// source's positions: every <see cref="SnapshotInterval"/> the stage takes a snapshot of its state at a batch boundary,
    /// and a commit claims only the positions of a snapshot that was saved (durably, before the commit) in the source's
    /// own checkpoint store. A restart restores that state and reads on from its positions, so a window open across a
    /// crash ends with every record counted once, and a long window is not read again. Needs a source with a checkpoint
    /// store that keeps state (<see cref="Checkpoints.FileCheckpointStore"/>, <see cref="Checkpoints.InMemoryCheckpointStore"/>),
    /// tumbling or hopping windows, the built-in aggregates (approximate distinct counts included) or a user aggregator that
    /// implements <see cref="IWindowAccumulatorCodec{TAccumulator}"/>, and keys of type string, long or int.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: no state survives a run; a restart re-reads every record of the windows
    /// open at the last commit (commits wait for them) and recomputes them.
    /// </value>
    public bool CheckpointState { get; init; }

    /// <summary>
    /// Gets the store a stage with <see cref="CheckpointState"/> keeps its state in, for a source that keeps no checkpoint
    /// store of its own (Kafka commits its offsets to the broker): the state is saved there, durably, before the source
    /// commits the positions it belongs to.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the source's own checkpoint store (required then).</value>
    public Checkpoints.ICheckpointStore? StateStore { get; init; }

    /// <summary>Gets how often, at most, a stage with <see cref="CheckpointState"/> snapshots its state (processing time, on the pipeline's TimeProvider).</summary>
    /// <value>The default is 1 second; from zero (every input batch) to 1 hour. Commits advance at most this often.</value>
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets the directory a stage spills its state to at its budget, instead of failing: when the state would pass
    /// <see cref="StateBudgetBytes"/> (or <see cref="MaxKeys"/>), the partial aggregates of the open windows holding the most
    /// bytes are written to a spill file there (sorted by key) and freed, until the state is at half its bound; when a
    /// window closes, its spill files are merged with what is in memory (streaming, a buffer per file) and each key's
    /// partial aggregates are combined, so the results equal the unspilled ones. The stage works in a subdirectory named
    /// after it, deletes a window's files once its results are emitted, and on start deletes the files a previous process
    /// left there (they are not state: the records they came from were never committed and are read again). Spill files
    /// take at most <see cref="SpillMaxBytes"/>; past it the run fails with <see cref="WindowSpillFullException"/>.
    /// Tumbling and hopping windows; not with <see cref="AllowedLateness"/>, early results or <see cref="CheckpointState"/>
    /// (the build fails naming what is missing); the built-in aggregates (every one of them) or a user aggregator that also
    /// implements <see cref="IWindowAccumulatorCodec{TAccumulator}"/>, with keys of type string, long or int. One running
    /// stage per directory and stage name.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no spill; at the budget the run fails with <see cref="WindowStateFullException"/>.</value>
    public string? SpillDirectory { get; init; }

    /// <summary>Gets the most bytes the stage's spill files may take on disk at once (see <see cref="SpillDirectory"/>), counted apart from <see cref="StateBudgetBytes"/>.</summary>
    /// <value>The default is 16 GiB (<see cref="DefaultSpillMaxBytes"/>); from 64 KiB to 1 PiB.</value>
    public long SpillMaxBytes { get; init; } = DefaultSpillMaxBytes;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs, errors and dead letters.</summary>
    /// <value>The default is <see langword="null"/>: <c>window</c> and the stage's position.</value>
    public string? Name { get; init; }
}
