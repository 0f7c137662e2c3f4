using System.Collections.Concurrent;
using DataWeaver.Checkpoints;
using DataWeaver.Records;

namespace DataWeaver.Testing.Contracts;

/// <summary>A checkpoint store that passes every call on and remembers every key and position saved, for the contract checks.</summary>
public sealed class RecordingCheckpointStore : ICheckpointStore
{
    private readonly ICheckpointStore _inner;
    private readonly ConcurrentQueue<(string Key, SourcePosition[] Positions)> _saves = new();

    /// <summary>Creates the store.</summary>
    /// <param name="inner">The store that keeps the checkpoints.</param>
    public RecordingCheckpointStore(ICheckpointStore inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Gets every save so far, in order: the key and the positions.</summary>
    public IReadOnlyList<(string Key, SourcePosition[] Positions)> Saves => [.. _saves];

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default) =>
        _inner.LoadAsync(key, cancellationToken);

    /// <inheritdoc />
    public async ValueTask SaveAsync(string key, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        await _inner.SaveAsync(key, positions, cancellationToken).ConfigureAwait(false);
        _saves.Enqueue((key, [.. positions]));
    }
}
