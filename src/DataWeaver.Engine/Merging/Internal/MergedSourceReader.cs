using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Merging.Internal;

/// <summary>
/// Reads the sources of a <see cref="MergedSource{T}"/> concurrently: each source's reader fills a buffer of its own in
/// the background; each fill of the pipeline takes the sealed batches of one source that has records ready (in turn),
/// renumbering their partitions. One source's fill is at most a batch, so the pipeline's credits for a fill hold.
/// </summary>
internal sealed class MergedSourceReader<T>(MergedSource<T> owner) : SourceReader<T>
{
    private readonly IReadOnlyList<SourceConnector<T>> _sources = owner.Sources;
    private SourceReader<T>?[] _readers = [];
    private SourceBuffer<T>[] _buffers = [];
    private Task<bool>?[] _pending = [];
    private bool[] _done = [];
    private int _next;

    public override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
    {
        if (_readers.Length == 0)
        {
            var n = _sources.Count;
            _readers = new SourceReader<T>?[n];
            _buffers = new SourceBuffer<T>[n];
            _pending = new Task<bool>?[n];
            _done = new bool[n];
            for (var i = 0; i < n; i++)
            {
                _readers[i] = _sources[i].CreateReader();
                _buffers[i] = new SourceBuffer<T>(Math.Max(1, buffer.Remaining));
            }
        }

        while (true)
        {
            var open = 0;
            for (var i = 0; i < _readers.Length; i++)
            {
                if (_done[i])
                {
                    continue;
                }

                open++;
                if (_pending[i] is null)
                {
                    _buffers[i].Begin(buffer.Remaining);
                    _pending[i] = _readers[i]!.FillAsync(_buffers[i], cancellationToken).AsTask();
                }
            }

            if (open == 0)
            {
                return false;
            }

            for (var k = 0; k < _readers.Length; k++)
            {
                var i = (_next + k) % _readers.Length;
                if (_pending[i] is not { IsCompleted: true } fill)
                {
                    continue;
                }

                _next = i + 1;
                _pending[i] = null;
                var more = await fill.ConfigureAwait(false); // a failing source fails the run
                if (!more)
                {
                    _done[i] = true;
                    open--;
                }

                _buffers[i].Seal();
                Transfer(i, _buffers[i], buffer);
                if (buffer.Count > 0 || buffer.SealedParts.Count > 0 || open == 0 || cancellationToken.IsCancellationRequested)
                {
                    return open > 0 && !cancellationToken.IsCancellationRequested;
                }
            }

            var waiting = _pending.Where(p => p is not null).Cast<Task>().ToArray();
            if (waiting.Length > 0)
            {
                await Task.WhenAny(waiting).ConfigureAwait(false);
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Exception? first = null;
        for (var i = 0; i < _readers.Length; i++)
        {
            if (_pending[i] is { } fill)
            {
                try
                {
                    await fill.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The run is over; what this fill read was never handed over (and never committed).
                }

                // Read but never handed to the pipeline: give the batches (and their payload buffers) back.
                _buffers[i].Seal();
                foreach (var part in _buffers[i].SealedParts)
                {
                    part.Batch.Release();
                }

                _buffers[i].SealedParts.Clear();
            }

            try
            {
                if (_readers[i] is { } reader)
                {
                    await reader.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception exception)
            {
                first ??= exception;
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    private void Transfer(int index, SourceBuffer<T> from, SourceBuffer<T> into)
    {
        var source = _sources[index];
        var process = source.OverridesProcess;
        var offset = index * MergedSource<T>.PartitionStride;
        foreach (var part in from.SealedParts)
        {
            if (process)
            {
                var items = part.Batch.Items;
                for (var r = 0; r < part.Batch.Count; r++)
                {
                    items[r] = source.Process(items[r]);
                }
            }

            var rejects = part.Rejects?.Select(x => x with { Position = new SourcePosition(x.Position.Partition + offset, x.Position.Offset) }).ToList();
            into.AddSealed(new SourceBuffer<T>.Part(part.Batch, checked(part.Partition + offset), part.ResumeOffset, rejects, part.FirstResumeOffset));
        }

        from.SealedParts.Clear();
    }
}
