using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Records;

namespace DataWeaver.Http;

/// <summary>The reader of <see cref="HttpServerSource"/>: hands accepted requests to the pipeline, whole when they fit in the fill.</summary>
public sealed partial class HttpServerSource
{
    private sealed class Reader(HttpServerSource source) : SourceReader<Record<ReadOnlyMemory<byte>>>
    {
        private AcceptedRequest? _current;

        public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            if (cancellationToken.IsCancellationRequested)
            {
                // The last fill of a drain: hand over what fits, refuse the rest (503: the clients send it again).
                Add(buffer);
                source.StopAccepting();
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
                source.Finish(partial, committed: false); // partly handed over: the client sends it again (duplicates of the part handed)
            }

            return base.DisposeAsync();
        }

        private void Add(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer)
        {
            while (buffer.Remaining > 0)
            {
                var request = _current;
                if (request is null)
                {
                    if (!source._queue.Reader.TryPeek(out var next) || next.Items.Count > buffer.Remaining && buffer.Count > 0)
                    {
                        return; // nothing more, or the next request fits whole in the next fill
                    }

                    source._queue.Reader.TryRead(out request);
                    _current = request;
                }

                var take = Math.Min(request!.Items.Count - request.Handed, buffer.Remaining);
                var body = request.Body;
                for (var i = 0; i < take; i++)
                {
                    var item = request.Items[request.Handed++];
                    var offset = source._next++;
                    if (item.Error is null)
                    {
                        var record = new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, body.AsMemory(item.Start, item.Length), request.TraceHeaders is { } trace ? new RecordHeaders(trace) : null, request.Timestamp, new SourcePosition(0, offset));
                        buffer.Add(record, new SourcePosition(0, offset + 1), item.Length);
                    }
                    else
                    {
                        buffer.Reject(new DataWeaverException(ErrorClass.Data, $"{source.Name}: {item.Error}"), new SourcePosition(0, offset), new SourcePosition(0, offset + 1), body.AsSpan(item.Start, item.Length));
                    }
                }

                if (request.Handed == request.Items.Count)
                {
                    request.ResumeOffset = source._next;
                    lock (source._handedLock)
                    {
                        source._handedOver.Enqueue(request);
                    }

                    _current = null;
                }
            }
        }
    }
}
