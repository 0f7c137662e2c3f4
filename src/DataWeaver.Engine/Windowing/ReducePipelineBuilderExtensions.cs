using DataWeaver.Windowing;
using DataWeaver.Windowing.Internal;

namespace DataWeaver.Pipelines;

/// <summary>
/// Adds windowed reduce to a pipeline: the records of each key (or of all records, for the global forms) in each window
/// are folded with a user reducer, in arrival order, and the result is emitted when the window closes, as
/// <see cref="WindowOutput{TKey, TResult}"/>. Windows, watermarks, lateness, the state budget and commits are those of
/// <see cref="WindowPipelineBuilderExtensions"/>: a source position is committed only once every window depending on it
/// was written. A running (never-closing) reduce is not offered: its result depends on every record ever read, so no
/// source position could ever be committed without state snapshots.
/// </summary>
public static class ReducePipelineBuilderExtensions
{
    /// <summary>The key of every result of the global forms (<see cref="Reduce{T}"/>, <see cref="ReduceByEventTime{T}"/>): the empty string.</summary>
    public const string GlobalKey = "";

    /// <summary>
    /// Folds the records of each key in each window of processing time (tumbling, hopping or session,
    /// <see cref="WindowOptions.Kind"/>) with <paramref name="reducer"/>: the first record of a key in a window is its value,
    /// each later one is folded in as <c>reducer(value, record)</c>. When session windows join, the two values are
    /// folded, the one whose first record arrived first on the left: a reducer that is associative gives the same result
    /// as folding the records one by one.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="reducer">Folds a record into the value so far. MUST NOT throw; MUST NOT change its arguments (a value may be emitted, then updated by a late record); records MUST NOT refer to pooled payload memory.</param>
    /// <param name="options">The window's kind, sizes and state budget (the value counts as the accumulator's own size only; the aggregate options do not apply); <see langword="null"/> uses the defaults (1-minute tumbling windows).</param>
    /// <returns>The builder, now of one <see cref="WindowOutput{TKey, TResult}"/> per key and window.</returns>
    public static PipelineBuilder<WindowOutput<TKey, T>> Reduce<T, TKey>(
        this PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        Func<T, T, T> reducer,
        WindowOptions? options = null)
        where TKey : notnull => Add(builder, keySelector, reducer, eventTime: null, options);

    /// <summary>
    /// Folds the records of each key in each window of event time with <paramref name="reducer"/> (as
    /// <see cref="Reduce{T, TKey}"/>; the times, watermark, lateness and late records as in
    /// <see cref="WindowPipelineBuilderExtensions.WindowByEventTime{T, TKey}"/>).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="timestampSelector">Reads a record's event time. MUST NOT throw.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="reducer">Folds a record into the value so far. MUST NOT throw; MUST NOT change its arguments.</param>
    /// <param name="options">The window's kind, sizes, out-of-orderness, lateness and state budget; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of one <see cref="WindowOutput{TKey, TResult}"/> per key and window.</returns>
    public static PipelineBuilder<WindowOutput<TKey, T>> ReduceByEventTime<T, TKey>(
        this PipelineBuilder<T> builder,
        Func<T, DateTimeOffset> timestampSelector,
        Func<T, TKey> keySelector,
        Func<T, T, T> reducer,
        WindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(timestampSelector);
        return Add(builder, keySelector, reducer, timestampSelector, options);
    }

    /// <summary>Folds all records in each window of processing time with <paramref name="reducer"/>, whatever their key (as <see cref="Reduce{T, TKey}"/>; every result's key is <see cref="GlobalKey"/>).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="reducer">Folds a record into the value so far. MUST NOT throw; MUST NOT change its arguments.</param>
    /// <param name="options">The window's kind, sizes and state budget; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of one <see cref="WindowOutput{TKey, TResult}"/> per window.</returns>
    public static PipelineBuilder<WindowOutput<string, T>> Reduce<T>(this PipelineBuilder<T> builder, Func<T, T, T> reducer, WindowOptions? options = null) =>
        Add(builder, static _ => GlobalKey, reducer, eventTime: null, options);

    /// <summary>Folds all records in each window of event time with <paramref name="reducer"/>, whatever their key (as <see cref="ReduceByEventTime{T, TKey}"/>; every result's key is <see cref="GlobalKey"/>).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="timestampSelector">Reads a record's event time. MUST NOT throw.</param>
    /// <param name="reducer">Folds a record into the value so far. MUST NOT throw; MUST NOT change its arguments.</param>
    /// <param name="options">The window's kind, sizes, out-of-orderness, lateness and state budget; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of one <see cref="WindowOutput{TKey, TResult}"/> per window.</returns>
    public static PipelineBuilder<WindowOutput<string, T>> ReduceByEventTime<T>(
        this PipelineBuilder<T> builder,
        Func<T, DateTimeOffset> timestampSelector,
        Func<T, T, T> reducer,
        WindowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(timestampSelector);
        return Add(builder, static _ => GlobalKey, reducer, timestampSelector, options);
    }

    private static PipelineBuilder<WindowOutput<TKey, T>> Add<T, TKey>(
        PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        Func<T, T, T> reducer,
        Func<T, DateTimeOffset>? eventTime,
        WindowOptions? options)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(reducer);
        return builder.Then<WindowOutput<TKey, T>>(
            new WindowDefinition<T, TKey, ReduceAccumulator<T>, T, ReduceAggregator<T>, WindowOutput<TKey, T>>(
                keySelector,
                eventTime,
                new ReduceAggregator<T>(reducer),
                static (key, start, end, result, kind) => new WindowOutput<TKey, T>(key, start, end, result, kind == WindowEmission.Update) { IsEarly = kind == WindowEmission.Early },
                options ?? new WindowOptions()));
    }
}
