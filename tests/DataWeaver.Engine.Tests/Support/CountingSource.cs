using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Tests.Support;

/// <summary>
/// A seed-style source of 0, 1, 2, ... (endless when count is null) that counts what it read, records how
/// far ahead of a sink it ever got, and keeps every acknowledgement and commit it was told of.
/// </summary>
public sealed class CountingSource(long? count = null, Func<long>? written = null) : SourceConnector<long>("counting")
{
    private long _read;
    private long _maxAhead;

    public long Read => Interlocked.Read(ref _read);

    /// <summary>The most records read and not yet written by the observed sink, checked at every read.</summary>
    public long MaxAhead => Interlocked.Read(ref _maxAhead);

    public ConcurrentQueue<SourcePosition> Acknowledged { get; } = new();

    public ConcurrentQueue<SourcePosition> Commits { get; } = new();

    public bool Disposed { get; private set; }

    public override async IAsyncEnumerable<long> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            for (long i = 0; count is null || i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = Interlocked.Increment(ref _read);
                if (written is not null)
                {
                    var ahead = read - written();
                    if (ahead > Interlocked.Read(ref _maxAhead))
                    {
                        Interlocked.Exchange(ref _maxAhead, ahead);
                    }
                }

                yield return i;
                if ((i & 1023) == 0)
                {
                    await Task.Yield();
                }
            }
        }
        finally
        {
            Disposed = true;
        }
    }

    protected internal override void OnAcknowledged(SourcePosition position) => Acknowledged.Enqueue(position);

    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        foreach (var p in positions)
        {
            Commits.Enqueue(p);
        }

        return default;
    }
}
