using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Merging.Internal;
using DataWeaver.Records;

namespace DataWeaver.Merging;

/// <summary>
/// Several sources read as one (fan-in): each source is read by its own reader concurrently, and every fill hands the
/// pipeline the records one source has ready (taking the sources in turn, so a busy source cannot starve a quiet one).
/// Each source keeps its own positions and commits: a record of source <c>i</c> at partition <c>p</c> carries the merged
/// partition <c>i * <see cref="PartitionStride"/> + p</c>, and acknowledgements and commits go back to that source with
/// its own partition, so the engine commits each source's highest contiguous acknowledged position independently.
/// Records of different sources have no order between them; records of one partition keep theirs.
/// </summary>
/// <remarks>
/// At a stop, the last fill hands over what one source has ready; records other sources had read but not handed over
/// are not acknowledged, so they are not committed and are read again after a restart (at-least-once).
/// </remarks>
/// <typeparam name="T">The record type of every source.</typeparam>
public sealed class MergedSource<T> : SourceConnector<T>, IMergedSource
{
    /// <summary>How far apart the merged partitions of two sources are: a source's partitions MUST be below it.</summary>
    public const int PartitionStride = 1 << 24;

    /// <summary>The most sources one merged source takes.</summary>
    public const int MaxSources = 127;

    /// <summary>Creates the merged source.</summary>
    /// <param name="sources">The sources, at least one and at most <see cref="MaxSources"/>, each a distinct instance.</param>
    /// <param name="name">The name in graphs, logs and errors; <see langword="null"/> uses <c>merge(a, b, ...)</c>.</param>
    public MergedSource(IEnumerable<SourceConnector<T>> sources, string? name = null)
        : this(Checked(sources), name)
    {
    }

    private MergedSource(SourceConnector<T>[] sources, string? name)
        : base(name ?? $"merge({string.Join(", ", sources.Select(s => s.Name))})")
    {
        Sources = sources;
    }

    /// <summary>Gets the sources, in the order their merged partitions are numbered.</summary>
    public IReadOnlyList<SourceConnector<T>> Sources { get; }

    /// <inheritdoc/>
    IEnumerable<Connector> IMergedSource.Parts => Sources;

    /// <summary>Gets which source a merged position belongs to, and its position in that source.</summary>
    /// <param name="position">A position of this merged source.</param>
    /// <returns>The source's index in <see cref="Sources"/> and the source's own position.</returns>
    public static (int Source, SourcePosition Position) Split(SourcePosition position) =>
        (position.Partition / PartitionStride, new SourcePosition(position.Partition % PartitionStride, position.Offset));

    /// <summary>Opens every source.</summary>
    /// <param name="cancellationToken">Aborts the connection attempts.</param>
    /// <returns>A task that completes once every source is open.</returns>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        foreach (var source in Sources)
        {
            await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes every source, each even when another fails; the first failure is thrown after all were closed.</summary>
    /// <param name="cancellationToken">Aborts a slow close.</param>
    /// <returns>A task that completes once every source is closed.</returns>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Exception? first = null;
        foreach (var source in Sources)
        {
            try
            {
                await source.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                first ??= exception;
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>Reads every source one after the other (the pipeline reads them concurrently through <see cref="CreateReader"/>).</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The records of the first source, then the second, and so on.</returns>
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var source in Sources)
        {
            await foreach (var record in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }
        }
    }

    /// <summary>Creates a reader that reads every source concurrently.</summary>
    /// <returns>The reader of one run.</returns>
    public override SourceReader<T> CreateReader() => new MergedSourceReader<T>(this);

    /// <summary>Commits each source's positions through that source, one source after the other.</summary>
    /// <param name="positions">Merged positions.</param>
    /// <param name="cancellationToken">Aborts the commit.</param>
    /// <returns>A task that completes once every source committed.</returns>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var group in positions.Select(Split).GroupBy(p => p.Source))
        {
            await Sources[group.Key].CommitAsync([.. group.Select(p => p.Position)], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Tells the source the position belongs to.</summary>
    /// <param name="position">A merged position.</param>
    protected internal override void OnAcknowledged(SourcePosition position)
    {
        var (source, own) = Split(position);
        Sources[source].OnAcknowledged(own);
    }

    private static SourceConnector<T>[] Checked(IEnumerable<SourceConnector<T>> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        SourceConnector<T>[] list = [.. sources];
        if (list.Length is 0 or > MaxSources)
        {
            throw new ArgumentOutOfRangeException(nameof(sources), list.Length, $"A merged source takes from 1 to {MaxSources} sources.");
        }

        if (list.Any(s => s is null) || list.Distinct(ReferenceEqualityComparer.Instance).Count() != list.Length)
        {
            throw new ArgumentException("Every source must be a distinct, non-null instance.", nameof(sources));
        }

        return list;
    }
}
