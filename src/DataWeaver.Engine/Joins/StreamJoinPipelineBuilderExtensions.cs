using DataWeaver.Joins;
using DataWeaver.Joins.Internal;

namespace DataWeaver.Pipelines;

/// <summary>Adds stream-stream joins within a time window to a pipeline.</summary>
public static class StreamJoinPipelineBuilderExtensions
{
    /// <summary>
    /// Joins the left and the right records of one stream (typically two sources read as one with
    /// <see cref="Pipeline.Merge{T}(IEnumerable{Connectors.SourceConnector{T}}, PipelineOptions?)"/>) by key, where their
    /// event times are at most <see cref="StreamJoinOptions.Window"/> apart, in a block of its own. A pair is emitted when
    /// its second record arrives; with <see cref="StreamJoinKind.Left"/>, a left record that matched nothing is emitted
    /// with the right side's default once no right record can match it any more. Records wait in the stage's state until
    /// the watermark passes their time plus the window; their source positions are committed only after that and after
    /// every result they are part of was written, so a crash re-reads them and recomputes. When the pipeline is stopped
    /// or aborted, unmatched left records are not emitted (a restart recomputes them); when the input ends they are.
    /// </summary>
    /// <typeparam name="T">The record type of both sides.</typeparam>
    /// <typeparam name="TKey">The key type; equal keys by <see cref="EqualityComparer{T}.Default"/>.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="isLeft">Tells a left record from a right one. MUST NOT throw.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="eventTime">Picks a record's event time. MUST NOT throw.</param>
    /// <param name="resultSelector">Makes a result from a left record and its right match (the default for an unmatched left record). MUST NOT throw.</param>
    /// <param name="options">Window, kind, watermark, budget, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <typeparamref name="TOut"/>.</returns>
    public static PipelineBuilder<TOut> StreamJoin<T, TKey, TOut>(
        this PipelineBuilder<T> builder,
        Func<T, bool> isLeft,
        Func<T, TKey> keySelector,
        Func<T, DateTimeOffset> eventTime,
        Func<T, T?, TOut> resultSelector,
        StreamJoinOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(isLeft);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(eventTime);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return builder.Then<TOut>(new StreamJoinDefinition<T, TKey, TOut>(isLeft, keySelector, eventTime, resultSelector, options ?? new StreamJoinOptions()));
    }
}
