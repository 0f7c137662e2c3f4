using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Sockets;

/// <summary>The reader of <see cref="TcpSource"/>: hands the queued frames to the pipeline and remembers which connection each came from.</summary>
public sealed partial class TcpSource
{
    private sealed class Reader(TcpSource source) : SourceReader<Record<ReadOnlyMemory<byte>>>
    {
        private FrameChunk? _current;
        private long _next;

        public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            if (cancellationToken.IsCancellationRequested)
            {
                // The last fill of a drain: hand over what fits; what is left is never acknowledged (the clients send it again).
                Add(buffer);
                source.StopReading();
                return false;
            }

            if (_current is null && !source._queue.Reader.TryPeek(out _))
            {
                await source._queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }

            Add(buffer);
            return true;
        }

        public override ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _current, null) is { } partial)
            {
                source.Release(partial.Items.Length - partial.Handed);
            }

            return base.DisposeAsync();
        }

        private void Add(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer)
        {
            while (buffer.Remaining > 0)
            {
                var chunk = _current;
                if (chunk is null)
                {
                    if (!source._queue.Reader.TryRead(out chunk))
                    {
                        return;
                    }

                    _current = chunk;
                }

                var take = Math.Min(chunk.Items.Length - chunk.Handed, buffer.Remaining);
                var first = _next;
                var data = chunk.Data;
                for (var i = chunk.Handed; i < chunk.Handed + take; i++)
                {
                    var item = chunk.Items[i];
                    var offset = _next++;
                    if (item.Error is null)
                    {
                        var record = new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, data.AsMemory(item.Start, item.Length), null, chunk.Timestamp, new SourcePosition(0, offset));
                        buffer.Add(record, new SourcePosition(0, offset + 1), item.Length);
                    }
                    else
                    {
                        buffer.Reject(item.Error, new SourcePosition(0, offset), new SourcePosition(0, offset + 1), data.AsSpan(item.Start, item.Length));
                    }
                }

                lock (source._handedLock)
                {
                    source._handed.Enqueue(new Segment(chunk.Connection, first, take, chunk.ConnectionFirstFrame + chunk.Handed));
                }

                chunk.Handed += take;
                if (chunk.Handed == chunk.Items.Length)
                {
                    _current = null;
                }
            }
        }
    }
}
