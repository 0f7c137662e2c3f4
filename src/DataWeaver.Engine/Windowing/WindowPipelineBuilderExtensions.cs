using DataWeaver.Windowing;
using DataWeaver.Windowing.Internal;

namespace DataWeaver.Pipelines;

/// <summary>
/// Adds tumbling windows with keyed aggregation (count, sum, min, max, average) to a pipeline. A window's results are
/// emitted when it closes, one <see cref="WindowResult{TKey}"/> per key, in a batch that carries the acknowledgement of
/// every source record folded into the window: a source position is committed only once every window depending on it
/// was written. When the source runs out, open windows are emitted; when the pipeline is stopped (drained) or fails, they
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
        where TKey : notnull => Add(builder, keySelector, valueSelector, eventTime: null, options);

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
        return Add(builder, keySelector, valueSelector, timestampSelector, options);
    }

    private static PipelineBuilder<WindowResult<TKey>> Add<T, TKey>(
        PipelineBuilder<T> builder,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        Func<T, DateTimeOffset>? eventTime,
        TumblingWindowOptions? options)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(valueSelector);
        return builder.Then<WindowResult<TKey>>(new WindowDefinition<T, TKey>(keySelector, valueSelector, eventTime, options ?? new TumblingWindowOptions()));
    }
}
