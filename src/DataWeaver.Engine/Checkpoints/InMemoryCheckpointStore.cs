using System.Collections.Concurrent;
using DataWeaver.Records;

namespace DataWeaver.Checkpoints;

/// <summary>
/// A checkpoint store in memory, for tests and for pipelines that restart within one process. Nothing survives
/// the process.
/// </summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly ConcurrentDictionary<string, SourcePosition[]> _checkpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _states = new(StringComparer.Ordinal);
    private long _saves;

    /// <summary>Gets how many saves completed, over every key.</summary>
    public long SaveCount => Interlocked.Read(ref _saves);

    /// <summary>Gets the keys that have a checkpoint.</summary>
    public IReadOnlyCollection<string> Keys => [.. _checkpoints.Keys];

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return new(_checkpoints.TryGetValue(key, out var positions) ? positions : null);
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(string key, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(positions);
        cancellationToken.ThrowIfCancellationRequested();
        _checkpoints[key] = [.. positions];
        Interlocked.Increment(ref _saves);
        return default;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> LoadStateAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return new(_states.TryGetValue(key, out var state) ? state : null);
    }

    /// <inheritdoc />
    public ValueTask SaveStateAsync(string key, ReadOnlyMemory<byte> state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        _states[key] = state.ToArray();
        return default;
    }
}
