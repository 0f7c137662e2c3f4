namespace DataWeaver.Windowing;

/// <summary>
/// A user aggregate over the records of one key in one window (<see cref="Pipelines.WindowPipelineBuilderExtensions"/>).
/// The stage keeps one <typeparamref name="TAccumulator"/> per key and window, calls <see cref="Add"/> for each record,
/// <see cref="Merge"/> when session windows join (and, with <see cref="WindowOptions.SpillDirectory"/>, to combine the partial
/// aggregates of a key that were spilled to disk), and <see cref="Result"/> when the window is emitted. Calls come from one
/// thread at a time; an implementation needs no locks. Its methods MUST NOT throw. A struct implementation passed as
/// the type argument is specialized by the JIT (no interface call per record).
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <typeparam name="TAccumulator">The per-key, per-window state (a struct keeps it inside the stage's dictionary).</typeparam>
/// <typeparam name="TResult">What is emitted.</typeparam>
public interface IWindowAggregator<in T, TAccumulator, out TResult>
{
    /// <summary>
    /// Gets whether <see cref="EstimateBytes"/> can change as records are added: it is called once for each new key
    /// (what <see cref="Create"/> holds) and, when this is <see langword="true"/>, after every add as well.
    /// </summary>
    bool SizeVaries { get; }

    /// <summary>Creates the state of a new key in a window.</summary>
    /// <returns>The empty accumulator.</returns>
    TAccumulator Create();

    /// <summary>Folds one record into the accumulator.</summary>
    /// <param name="accumulator">The key's state in the window.</param>
    /// <param name="record">The record.</param>
    /// <param name="element">The record's time and arrival sequence.</param>
    void Add(ref TAccumulator accumulator, T record, WindowElement element);

    /// <summary>
    /// Folds <paramref name="other"/> into <paramref name="into"/>: session windows that a record joins, and partial
    /// aggregates of one key and window built apart (spilled state, <see cref="IWindowAccumulatorCodec{TAccumulator}"/>;
    /// <paramref name="into"/> holds the earlier records then).
    /// </summary>
    /// <param name="into">The state kept.</param>
    /// <param name="other">The state merged into it (not used afterwards).</param>
    void Merge(ref TAccumulator into, ref TAccumulator other);

    /// <summary>Makes the result of an accumulator; it MUST NOT share mutable state with the accumulator (it may be updated later).</summary>
    /// <param name="accumulator">The state.</param>
    /// <returns>The result.</returns>
    TResult Result(ref TAccumulator accumulator);

    /// <summary>Estimates the bytes the accumulator holds on the heap beyond its own size (for the state budget).</summary>
    /// <param name="accumulator">The state.</param>
    /// <returns>Bytes; 0 for an accumulator that holds nothing on the heap.</returns>
    long EstimateBytes(ref TAccumulator accumulator);
}

/// <summary>Where a record stands: its time and its arrival sequence in the stage.</summary>
/// <param name="TimestampTicks">The record's time in UTC ticks (event time, or the processing time it arrived at).</param>
/// <param name="Sequence">The record's arrival number in the stage, from 0; breaks ties between equal times.</param>
public readonly record struct WindowElement(long TimestampTicks, long Sequence)
{
    /// <summary>Gets the record's time.</summary>
    public DateTimeOffset Timestamp => new(TimestampTicks, TimeSpan.Zero);
}

/// <summary>The result of a user aggregate for one key in one window.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TResult">The aggregate's result type.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Start">The window's start (inclusive).</param>
/// <param name="End">The window's end (exclusive; for a session, its last record's time plus the gap).</param>
/// <param name="Value">The aggregate.</param>
/// <param name="IsUpdate">Whether the window was emitted before and this replaces that result (allowed lateness; for a session, a merge of emitted sessions).</param>
public sealed record WindowOutput<TKey, TResult>(TKey Key, DateTimeOffset Start, DateTimeOffset End, TResult Value, bool IsUpdate)
{
    /// <summary>Gets whether the window is still open and this is its current result, emitted early (<see cref="WindowOptions.EarlyResultEvery"/>); the final one follows.</summary>
    public bool IsEarly { get; init; }
}
