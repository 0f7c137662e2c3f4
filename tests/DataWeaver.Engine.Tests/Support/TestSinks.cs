using System.Collections.Concurrent;
using DataWeaver.Connectors;

namespace DataWeaver.Tests.Support;

/// <summary>A sink that takes <paramref name="delayPerBatch"/> per batch and counts what it wrote.</summary>
public sealed class SlowSink<T>(TimeSpan delayPerBatch) : SinkConnector<T>("slow")
{
    private readonly ConcurrentQueue<T> _records = new();
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public IReadOnlyList<T> Records => [.. _records];

    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delayPerBatch, cancellationToken);
        foreach (var r in batch.Span)
        {
            _records.Enqueue(r);
        }

        Interlocked.Add(ref _written, batch.Length);
    }
}

/// <summary>
/// A sink whose writes wait at a gate: it writes the first <c>freeBatches</c> batches at once, then each
/// write waits until <see cref="Open"/> (or the pipeline aborts).
/// </summary>
public sealed class GatedSink<T>(int freeBatches = 0, string name = "gated") : SinkConnector<T>(name)
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<T> _records = new();
    private int _batches;

    public IReadOnlyList<T> Records => [.. _records];

    /// <summary>Completes once a write is waiting at the gate.</summary>
    public Task Blocked => _blocked.Task;

    public void Open() => _gate.TrySetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _batches) > freeBatches)
        {
            _blocked.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
        }

        foreach (var r in batch.Span)
        {
            _records.Enqueue(r);
        }
    }
}

/// <summary>A sink that records the size of every batch it gets.</summary>
public sealed class BatchSizeSink<T>() : SinkConnector<T>("batch-sizes")
{
    private readonly ConcurrentQueue<int> _sizes = new();
    private readonly ConcurrentQueue<T> _records = new();

    public IReadOnlyList<int> Sizes => [.. _sizes];

    public IReadOnlyList<T> Records => [.. _records];

    public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        _sizes.Enqueue(batch.Length);
        foreach (var r in batch.Span)
        {
            _records.Enqueue(r);
        }

        return default;
    }
}
