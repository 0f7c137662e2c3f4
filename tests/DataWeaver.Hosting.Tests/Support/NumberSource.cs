using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Hosting.Tests.Support;

/// <summary>A source of 0, 1, 2, ... (endless when count is null) that counts what it read and keeps every commit.</summary>
public sealed class NumberSource(long? count = null) : SourceConnector<long>("numbers")
{
    private long _read;

    public long Read => Interlocked.Read(ref _read);

    public ConcurrentQueue<SourcePosition> Commits { get; } = new();

    public override async IAsyncEnumerable<long> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long i = 0; count is null || i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _read);
            yield return i;
            if ((i + 1) % 1024 == 0)
            {
                await Task.Yield();
            }
        }
    }

    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        foreach (var position in positions)
        {
            Commits.Enqueue(position);
        }

        return default;
    }
}
