using DataWeaver.Windowing;
using DataWeaver.Windowing.Internal;

namespace DataWeaver.Pipelines;

/// <summary>
/// Adds windows with keyed aggregation to a pipeline: tumbling, hopping and session windows (<see cref="WindowOptions.Kind"/>)
/// by processing time or event time, with the built-in aggregates (count, sum, min, max, average, first, last, and on
/// request the exact distinct count and the first N values) or a user <see cref="IWindowAggregator{T, TAccumulator, TResult}"/>.
/// A window's results are emitted when it closes, one per key, in a batch that carries the acknowledgement of every
/// source record folded into the window: a source position is committed only once every window depending on it was
/// written. When the source runs out, open windows are emitted; when the pipeline is stopped (drained) or fails, they
/// are not, and their records stay uncommitted, so a restart reads them again and recomputes the windows.
/// </summary>
public static class WindowPipelineBuilderExtensions
{
    /// <summary>
    /// Aggregates records per key in tumbling windows of processing time: a record falls in the window of the moment it
    /// reaches the stage (on <see cref="PipelineOptions.TimeProvider"/>), and a window closes when the clock passes its end.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="valueSelector">Picks the value aggregated (sum, min, max, average). MUST NOT throw.</param>
    /// <param name="options">Size, state bound, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowResult{TKey}"/>.</returns>
    public static PipelineBuilder<WindowResult<TKey>> TumblingWindow<T, TKey>(
        this PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        TumblingWindowOptions? options = null)
        where TKey : notnull => Standard(builder, keySelector, valueSelector, eventTime: null, Convert(options));

    /// <summary>
    /// Aggregates records per key in tumbling windows of event time, the time <paramref name="timestampSelector"/> reads
    /// from each record. A window closes when the watermark (the newest event time seen minus
    /// <see cref="TumblingWindowOptions.MaxOutOfOrderness"/>) reaches its end; later records of it are late
    /// (<see cref="LateRecordException"/>, a data error for the stage's error policy: set
    /// <see cref="PipelineBuilder{T}.OnError(ErrorHandling.ErrorPolicy)"/> to dead-letter or skip them).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="timestampSelector">Reads a record's event time. MUST NOT throw.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="valueSelector">Picks the value aggregated. MUST NOT throw.</param>
    /// <param name="options">Size, out-of-orderness, state bound, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowResult{TKey}"/>.</returns>
    public static PipelineBuilder<WindowResult<TKey>> TumblingWindowByEventTime<T, TKey>(
        this PipelineBuilder<T> builder,
        Func<T, DateTimeOffset> timestampSelector,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        TumblingWindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(timestampSelector);
        return Standard(builder, keySelector, valueSelector, timestampSelector, Convert(options));
    }

    /// <summary>
    /// Aggregates records per key in windows of processing time (tumbling, hopping or session, <see cref="WindowOptions.Kind"/>)
    /// with the built-in aggregates: a record's time is the moment it reaches the stage (on
    /// <see cref="PipelineOptions.TimeProvider"/>), and a window closes when the clock passes its end.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="valueSelector">Picks the value aggregated. MUST NOT throw.</param>
    /// <param name="options">The window's kind, sizes, state budget and optional aggregates; <see langword="null"/> uses the defaults (1-minute tumbling windows).</param>
    /// <returns>The builder, now of <see cref="WindowResult{TKey}"/>.</returns>
    public static PipelineBuilder<WindowResult<TKey>> Window<T, TKey>(
        this PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        WindowOptions? options = null)
        where TKey : notnull => Standard(builder, keySelector, valueSelector, eventTime: null, options ?? new WindowOptions());

    /// <summary>
    /// Aggregates records per key in windows of event time (tumbling, hopping or session) with the built-in aggregates.
    /// A window is emitted when the watermark (the newest event time seen minus <see cref="WindowOptions.MaxOutOfOrderness"/>)
    /// reaches its end; a record for it within <see cref="WindowOptions.AllowedLateness"/> after that re-emits it updated,
    /// a record later still is late (<see cref="LateRecordException"/>, a data error for the stage's error policy).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="timestampSelector">Reads a record's event time. MUST NOT throw.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="valueSelector">Picks the value aggregated. MUST NOT throw.</param>
    /// <param name="options">The window's kind, sizes, out-of-orderness, lateness, state budget and optional aggregates; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowResult{TKey}"/>.</returns>
    public static PipelineBuilder<WindowResult<TKey>> WindowByEventTime<T, TKey>(
        this PipelineBuilder<T> builder,
        Func<T, DateTimeOffset> timestampSelector,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        WindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(timestampSelector);
        return Standard(builder, keySelector, valueSelector, timestampSelector, options ?? new WindowOptions());
    }

    /// <summary>Aggregates records per key in windows of processing time with a user aggregator.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAccumulator">The aggregator's per-key, per-window state.</typeparam>
    /// <typeparam name="TResult">The aggregator's result.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="aggregator">The aggregate; one instance serves the stage (of every run of the pipeline).</param>
    /// <param name="options">The window's kind, sizes and state budget (<see cref="WindowOptions.DistinctCount"/> and <see cref="WindowOptions.CollectLimit"/> do not apply); <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowOutput{TKey, TResult}"/>.</returns>
    public static PipelineBuilder<WindowOutput<TKey, TResult>> Window<T, TKey, TAccumulator, TResult>(
        this PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        IWindowAggregator<T, TAccumulator, TResult> aggregator,
        WindowOptions? options = null)
        where TKey : notnull => Custom(builder, keySelector, aggregator, eventTime: null, options);

    /// <summary>Aggregates records per key in windows of event time with a user aggregator (see <see cref="WindowByEventTime{T, TKey}"/> for the times).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAccumulator">The aggregator's per-key, per-window state.</typeparam>
    /// <typeparam name="TResult">The aggregator's result.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="timestampSelector">Reads a record's event time. MUST NOT throw.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="aggregator">The aggregate; one instance serves the stage (of every run of the pipeline).</param>
    /// <param name="options">The window's kind, sizes, out-of-orderness, lateness and state budget; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowOutput{TKey, TResult}"/>.</returns>
    public static PipelineBuilder<WindowOutput<TKey, TResult>> WindowByEventTime<T, TKey, TAccumulator, TResult>(
        this PipelineBuilder<T> builder,
        Func<T, DateTimeOffset> timestampSelector,
        Func<T, TKey> keySelector,
        IWindowAggregator<T, TAccumulator, TResult> aggregator,
        WindowOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(timestampSelector);
        return Custom(builder, keySelector, aggregator, timestampSelector, options);
    }

    /// <summary>
    /// Aggregates records per key in windows of processing time with a struct aggregator, which the JIT specializes and
    /// inlines into the stage's loop (no interface call per record): the fastest way to write an aggregate. Name every type
    /// argument, e.g. <c>Window&lt;Event, int, long, long, CountAggregator&gt;(...)</c>.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAccumulator">The aggregator's per-key, per-window state.</typeparam>
    /// <typeparam name="TResult">The aggregator's result.</typeparam>
    /// <typeparam name="TAggregator">The aggregator, a struct.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="aggregator">The aggregate; each run of the pipeline gets its own copy.</param>
    /// <param name="options">The window's kind, sizes and state budget; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowOutput{TKey, TResult}"/>.</returns>
    public static PipelineBuilder<WindowOutput<TKey, TResult>> Window<T, TKey, TAccumulator, TResult, TAggregator>(
        this PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        TAggregator aggregator,
        WindowOptions? options = null)
        where TKey : notnull
        where TAggregator : struct, IWindowAggregator<T, TAccumulator, TResult> =>
        Specialized<T, TKey, TAccumulator, TResult, TAggregator>(builder, keySelector, aggregator, eventTime: null, options);

    /// <summary>
    /// Aggregates records per key in windows of event time with a struct aggregator, which the JIT specializes and inlines
    /// into the stage's loop (see <see cref="Window{T, TKey, TAccumulator, TResult, TAggregator}"/>; the times as in
    /// <see cref="WindowByEventTime{T, TKey}"/>).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TAccumulator">The aggregator's per-key, per-window state.</typeparam>
    /// <typeparam name="TResult">The aggregator's result.</typeparam>
    /// <typeparam name="TAggregator">The aggregator, a struct.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="timestampSelector">Reads a record's event time. MUST NOT throw.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="aggregator">The aggregate; each run of the pipeline gets its own copy.</param>
    /// <param name="options">The window's kind, sizes, out-of-orderness, lateness and state budget; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <see cref="WindowOutput{TKey, TResult}"/>.</returns>
    public static PipelineBuilder<WindowOutput<TKey, TResult>> WindowByEventTime<T, TKey, TAccumulator, TResult, TAggregator>(
        this PipelineBuilder<T> builder,
        Func<T, DateTimeOffset> timestampSelector,
        Func<T, TKey> keySelector,
        TAggregator aggregator,
        WindowOptions? options = null)
        where TKey : notnull
        where TAggregator : struct, IWindowAggregator<T, TAccumulator, TResult>
    {
        ArgumentNullException.ThrowIfNull(timestampSelector);
        return Specialized<T, TKey, TAccumulator, TResult, TAggregator>(builder, keySelector, aggregator, timestampSelector, options);
    }

    private static PipelineBuilder<WindowOutput<TKey, TResult>> Specialized<T, TKey, TAccumulator, TResult, TAggregator>(
        PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        TAggregator aggregator,
        Func<T, DateTimeOffset>? eventTime,
        WindowOptions? options)
        where TKey : notnull
        where TAggregator : struct, IWindowAggregator<T, TAccumulator, TResult>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        return builder.Then<WindowOutput<TKey, TResult>>(
            new WindowDefinition<T, TKey, TAccumulator, TResult, TAggregator, WindowOutput<TKey, TResult>>(
                keySelector, eventTime, aggregator, static (key, start, end, result, kind) => new WindowOutput<TKey, TResult>(key, start, end, result, kind == WindowEmission.Update) { IsEarly = kind == WindowEmission.Early }, options ?? new WindowOptions()));
    }

    private static WindowOptions Convert(TumblingWindowOptions? options)
    {
        options ??= new TumblingWindowOptions();
        return new WindowOptions
        {
            Kind = WindowKind.Tumbling,
            Size = options.Size,
            MaxOutOfOrderness = options.MaxOutOfOrderness,
            MaxKeys = options.MaxKeys,
            StateBudgetBytes = options.StateBudgetBytes,
            Capacity = options.Capacity,
            Name = options.Name,
        };
    }

    private static PipelineBuilder<WindowResult<TKey>> Standard<T, TKey>(
        PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        Func<T, DateTimeOffset>? eventTime,
        WindowOptions options)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(valueSelector);
        var aggregator = new StandardAggregator<T>(valueSelector, options.DistinctCount, Math.Max(0, options.CollectLimit), options.ApproximateDistinctPrecision ?? 0);
        return builder.Then<WindowResult<TKey>>(
            new WindowDefinition<T, TKey, StandardAccumulator, StandardAccumulator, StandardAggregator<T>, WindowResult<TKey>>(
                keySelector, eventTime, aggregator, StandardAggregator<T>.ToResult, options));
    }

    private static PipelineBuilder<WindowOutput<TKey, TResult>> Custom<T, TKey, TAccumulator, TResult>(
        PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        IWindowAggregator<T, TAccumulator, TResult> aggregator,
        Func<T, DateTimeOffset>? eventTime,
        WindowOptions? options)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(aggregator);
        return builder.Then<WindowOutput<TKey, TResult>>(
            new WindowDefinition<T, TKey, TAccumulator, TResult, IWindowAggregator<T, TAccumulator, TResult>, WindowOutput<TKey, TResult>>(
                keySelector, eventTime, aggregator, static (key, start, end, result, kind) => new WindowOutput<TKey, TResult>(key, start, end, result, kind == WindowEmission.Update) { IsEarly = kind == WindowEmission.Early }, options ?? new WindowOptions()));
    }
}
