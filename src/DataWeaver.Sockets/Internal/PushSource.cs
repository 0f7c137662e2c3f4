using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Sockets.Internal;

/// <summary>What the socket sources share: the peer pushes, the engine's commits release the in-flight bound (and acknowledge).</summary>
internal static class PushSource
{
    /// <summary>The exception of <c>ReadAsync</c>: these sources read through their <see cref="SourceReader{T}"/>.</summary>
    public static NotSupportedException ReadsThroughReader(string type) => new($"{type} reads through its SourceReader (CreateReader).");

    /// <summary>Completes every committed position (partition 0 only: these sources have one).</summary>
    public static ValueTask Commit(IReadOnlyList<SourcePosition> positions, Action<long> completeUpTo)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            completeUpTo(position.Offset);
        }

        return default;
    }
}
