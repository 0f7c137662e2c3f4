using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Records;

namespace DataWeaver.Http;

/// <summary>The reader of <see cref="HttpServerSource"/>: hands accepted requests to the pipeline, whole when they fit in the fill.</summary>
public sealed partial class HttpServerSource
{
    /// <summary>A request's records travel in one batch when they can: a request starts only in a fill with room for it whole (or an empty one).</summary>
    private sealed class Reader(HttpServerSource source) : QueueSourceReader<Record<ReadOnlyMemory<byte>>, AcceptedRequest>(source._queue.Reader, splitChunks: false)
    {
        protected override int Remaining(AcceptedRequest chunk) => chunk.Items.Count - chunk.Handed;

        protected override void AddRecords(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, AcceptedRequest chunk, int count)
        {
            var body = chunk.Body;
            for (var i = 0; i < count; i++)
            {
                var item = chunk.Items[chunk.Handed++];
                var offset = source._next++;
                if (item.Error is null)
                {
                    var record = new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, body.AsMemory(item.Start, item.Length), chunk.TraceHeaders is { } trace ? new RecordHeaders(trace) : null, chunk.Timestamp, new SourcePosition(0, offset));
                    buffer.Add(record, new SourcePosition(0, offset + 1), item.Length);
                }
                else
                {
                    buffer.Reject(new DataWeaverException(ErrorClass.Data, $"{source.Name}: {item.Error}"), new SourcePosition(0, offset), new SourcePosition(0, offset + 1), body.AsSpan(item.Start, item.Length));
                }
            }
        }

        protected override void OnHandedOver(AcceptedRequest chunk)
        {
            chunk.ResumeOffset = source._next;
            lock (source._handedLock)
            {
                source._handedOver.Enqueue(chunk);
            }
        }

        // The last fill of a drain handed over what fit: refuse the rest (503: the clients send it again).
        protected override void OnDrained() => source.StopAccepting();

        // Partly handed over: the client sends it again (duplicates of the part handed).
        protected override void ReleasePartial(AcceptedRequest chunk) => source.Finish(chunk, committed: false);
    }
}
