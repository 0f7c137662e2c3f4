using System.Runtime.CompilerServices;
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
        private Record<ReadOnlyMemory<byte>>[] _run = [];

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
                AddFrames(buffer, chunk, take);
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

        /// <summary>Adds <paramref name="take"/> frames of <paramref name="chunk"/> from where it stopped: each run of good frames in one bulk copy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: optimized from its first call
        private void AddFrames(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, FrameChunk chunk, int take)
        {
            if (_run.Length < take)
            {
                _run = new Record<ReadOnlyMemory<byte>>[Math.Max(take, 1024)];
            }

            var data = chunk.Data;
            var timestamp = chunk.Timestamp;
            var errors = chunk.Errors;
            var run = 0;
            var runFirst = _next;
            long runBytes = 0;
            for (var i = chunk.Handed; i < chunk.Handed + take; i++)
            {
                var item = chunk.Items[i];
                var offset = _next++;
                if (errors is null || !errors.TryGetValue(i, out var error))
                {
                    _run[run++] = new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, data.AsMemory(item.Start, item.Length), null, timestamp, new SourcePosition(0, offset));
                    runBytes += item.Length;
                    continue;
                }

                if (run > 0)
                {
                    buffer.AddRange(_run.AsSpan(0, run), new SourcePosition(0, runFirst + 1), runBytes);
                    run = 0;
                    runBytes = 0;
                }

                buffer.Reject(error, new SourcePosition(0, offset), new SourcePosition(0, offset + 1), data.AsSpan(item.Start, item.Length));
                runFirst = offset + 1;
            }

            if (run > 0)
            {
                buffer.AddRange(_run.AsSpan(0, run), new SourcePosition(0, runFirst + 1), runBytes);
            }

            Array.Clear(_run, 0, take); // the batch holds the records now: drop these references to their bytes
        }
    }
}
