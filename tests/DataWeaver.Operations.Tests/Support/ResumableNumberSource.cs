using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Operations.Tests.Support;

/// <summary>
/// An endless source of 0, 1, 2, ... that resumes after its last commit, as a Kafka topic would: a restart reads on
/// from the committed position, so a sink sees every number once when nothing is lost or read twice.
/// </summary>
public sealed class ResumableNumberSource(long? count = null) : SourceConnector<long>("numbers")
{
    private long _committed;
    private long _read;

    public long Read => Interlocked.Read(ref _read);

    public long Committed => Interlocked.Read(ref _committed);

    public ConcurrentQueue<SourcePosition> Commits { get; } = new();

    public override async IAsyncEnumerable<long> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = Committed; count is null || i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _read);
            yield return i;
            if ((i & 255) == 0)
            {
                await Task.Yield();
            }
        }
    }

    protected override SourcePosition GetResumePosition(in long record, long ordinal) => new(0, record + 1);

    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        foreach (var position in positions)
        {
            Commits.Enqueue(position);
            if (position.Offset > Interlocked.Read(ref _committed))
            {
                Interlocked.Exchange(ref _committed, position.Offset);
            }
        }

        return default;
    }
}
