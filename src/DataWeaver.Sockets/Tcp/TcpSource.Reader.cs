using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Sockets;

/// <summary>The reader of <see cref="TcpSource"/>: hands the queued frames to the pipeline and remembers which connection each came from.</summary>
public sealed partial class TcpSource
{
    /// <summary>Frames may be split across fills: each is a record of its own.</summary>
    private sealed class Reader(TcpSource source) : QueueSourceReader<Record<ReadOnlyMemory<byte>>, FrameChunk>(source._queue.Reader)
    {
        private long _next;
        private Record<ReadOnlyMemory<byte>>[] _run = [];

        protected override int Remaining(FrameChunk chunk) => chunk.Items.Length - chunk.Handed;

        protected override void AddRecords(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, FrameChunk chunk, int count)
        {
            var first = _next;
            AddFrames(buffer, chunk, count);
            lock (source._handedLock)
            {
                source._handed.Enqueue(new Segment(chunk.Connection, first, count, chunk.ConnectionFirstFrame + chunk.Handed));
            }

            chunk.Handed += count;
        }

        // The last fill of a drain handed over what fit; what is left is never acknowledged (the clients send it again).
        protected override void OnDrained() => source.StopReading();

        protected override void ReleasePartial(FrameChunk chunk) => source.Release(chunk.Items.Length - chunk.Handed);

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
