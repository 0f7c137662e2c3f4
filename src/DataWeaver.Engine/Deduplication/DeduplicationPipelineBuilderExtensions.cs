using DataWeaver.Deduplication;
using DataWeaver.Deduplication.Internal;

namespace DataWeaver.Pipelines;

/// <summary>Adds de-duplication by key to a pipeline.</summary>
public static class DeduplicationPipelineBuilderExtensions
{
    /// <summary>
    /// Drops a record when a record with an equal key passed within <see cref="DeduplicationOptions.TimeToLive"/>, in a
    /// block of its own. A dropped duplicate counts as handled (acknowledged, in <see cref="PipelineStatistics.RecordsFiltered"/>).
    /// The stage remembers at most <see cref="DeduplicationOptions.MaxKeys"/> keys; at the bound the oldest key is
    /// forgotten early. Keys are remembered within one run: after a restart, records re-read from the last commit
    /// pass again (at-least-once).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type; equal keys by <see cref="EqualityComparer{T}.Default"/>.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="options">Time to live, key bound, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<T> Deduplicate<T, TKey>(this PipelineBuilder<T> builder, Func<T, TKey> keySelector, DeduplicationOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        return builder.Then<T>(new DeduplicationDefinition<T, TKey>(keySelector, options ?? new DeduplicationOptions()));
    }
}
