using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataWeaver.Records;

namespace DataWeaver.Connectors.Memory;

/// <summary>
/// Reads an in-memory list. The n-th record (from 0) has resume position <c>0@(n+1)</c>; a run can start
/// after a committed position (see <see cref="StartAfter"/>).
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class CollectionSource<T> : SourceConnector<T>
{
    private readonly IReadOnlyList<T> _records;
    private long _committed;

    /// <summary>Creates the source.</summary>
    /// <param name="records">The records, read in order. The list is not copied; don't change it while a pipeline reads it.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>collection</c>.</param>
    public CollectionSource(IReadOnlyList<T> records, string? name = null)
        : base(name ?? "collection")
    {
        ArgumentNullException.ThrowIfNull(records);
        _records = records;
    }

    /// <summary>Gets or sets how many records the next run skips (a resume position, as committed).</summary>
    /// <value>The default is 0: read from the start.</value>
    public long StartAfter { get; set; }

    /// <summary>Gets the last committed resume position (records fully handled), 0 before any commit.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <inheritdoc />
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = (int)StartAfter; i < _records.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return _records[i];
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override SourceReader<T> CreateReader() => new Reader(this);

    /// <inheritdoc />
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            Interlocked.Exchange(ref _committed, position.Offset);
        }

        return default;
    }

    private sealed class Reader(CollectionSource<T> source) : SourceReader<T>
    {
        private int _next = (int)source.StartAfter;

        public override ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return new ValueTask<bool>(false); // a drain: nothing was read ahead
            }

            var records = source._records;
            var take = Math.Min(records.Count - _next, buffer.Remaining);
            if (records is T[] array)
            {
                buffer.AddRange(array.AsSpan(_next, take), new SourcePosition(0, _next + 1));
                _next += take;
            }
            else if (records is List<T> list)
            {
                buffer.AddRange(CollectionsMarshal.AsSpan(list).Slice(_next, take), new SourcePosition(0, _next + 1));
                _next += take;
            }
            else
            {
                for (var end = _next + take; _next < end; _next++)
                {
                    buffer.Add(records[_next], new SourcePosition(0, _next + 1));
                }
            }

            return new ValueTask<bool>(_next < records.Count && !cancellationToken.IsCancellationRequested);
        }
    }
}
