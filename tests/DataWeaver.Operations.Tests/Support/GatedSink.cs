using DataWeaver.Connectors;

namespace DataWeaver.Operations.Tests.Support;

/// <summary>A sink that writes until it is closed, then holds every batch until it is opened again: a stuck sink.</summary>
public sealed class GatedSink(string name = "gated") : SinkConnector<long>(name)
{
    private readonly object _lock = new();
    private TaskCompletionSource _open = NewOpen(open: true);
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public void Close()
    {
        lock (_lock)
        {
            if (_open.Task.IsCompleted)
            {
                _open = NewOpen(open: false);
            }
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _open.TrySetResult();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
    {
        Task open;
        lock (_lock)
        {
            open = _open.Task;
        }

        await open.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _written, batch.Length);
    }

    private static TaskCompletionSource NewOpen(bool open)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            source.SetResult();
        }

        return source;
    }
}
