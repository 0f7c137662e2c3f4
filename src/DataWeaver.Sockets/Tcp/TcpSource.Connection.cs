using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>One client connection of <see cref="TcpSource"/>: its read loop, its acknowledgements and its close.</summary>
public sealed partial class TcpSource
{
    /// <summary>How long a closing connection waits for its client to close after the last acknowledgement.</summary>
    private static readonly TimeSpan LingerTimeout = TimeSpan.FromSeconds(2);

    private sealed class TcpConnection(TcpSource source, long id, Socket socket)
    {
        /// <summary>How many frames a connection takes into the bound at once (what it does not use, it gives back).</summary>
        private const int ReserveStep = 256;

        private readonly Signal _acks = new();
        private readonly Lock _life = new();
        private bool _finished;
        private FrameSpan[] _frames = new FrameSpan[ReserveStep];
        private int _frameCount;
        private readonly List<(int Index, SocketFrameException Error)> _errors = [];
        private readonly CancellationTokenSource _reading = CancellationTokenSource.CreateLinkedTokenSource(source._closing.Token);
        private long _committed;
        private long _framesAdmitted;
        private volatile bool _readingDone;
        private volatile bool _closing;
        private Stream? _stream;

        public string Name { get; } = string.Create(CultureInfo.InvariantCulture, $"{source.Name}#{id} {socket.RemoteEndPoint}");

        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Start() => Completion = RunAsync();

        /// <summary>Frames up to <paramref name="frames"/> (of this connection, counted from 1) are committed.</summary>
        public void SetCommitted(long frames)
        {
            Volatile.Write(ref _committed, frames);
            _acks.Pulse();
        }

        /// <summary>The source closes: stop reading, write the last acknowledgement, close.</summary>
        public void Close()
        {
            _closing = true;
            lock (_life)
            {
                if (!_finished)
                {
                    _reading.Cancel(); // a connection that already ended has disposed it
                }
            }

            _acks.Pulse();
        }

        private async Task RunAsync()
        {
            try
            {
                var stream = await HandshakeAsync().ConfigureAwait(false);
                if (stream is null)
                {
                    return;
                }

                _stream = stream;
                var acknowledging = source.Options.Acknowledgements ? AcknowledgeAsync(stream) : Task.CompletedTask;
                await ReadAsync(stream).ConfigureAwait(false);
                _readingDone = true;
                _acks.Pulse();
                await acknowledging.ConfigureAwait(false);
                await ShutdownAsync(stream).ConfigureAwait(false);
            }
            finally
            {
                source._connections.TryRemove(id, out _);
                if (_stream is { } stream)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                socket.Dispose();
                lock (_life)
                {
                    _finished = true;
                    _reading.Dispose();
                }
            }
        }

        private async Task<Stream?> HandshakeAsync()
        {
            var network = new NetworkStream(socket, ownsSocket: false);
            if (source._certificate is not { } certificate)
            {
                return network;
            }

            var tls = new SslStream(network, leaveInnerStreamOpen: false);
            using var timeout = new CancellationTokenSource(source.Options.HandshakeTimeout, source.Options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _reading.Token);
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, linked.Token).ConfigureAwait(false);
                return tls;
            }
            catch (Exception error) when (error is OperationCanceledException || SocketErrors.IsConnectionError(error))
            {
                Interlocked.Increment(ref source._connectionErrors);
                await tls.DisposeAsync().ConfigureAwait(false);
                return null;
            }
        }

        /// <summary>Reads frames until the client ends its stream, the stream cannot be followed, the source stops, or an error.</summary>
        private async Task ReadAsync(Stream stream)
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
            var parser = new FrameParser(source.Options.Framing, source.Options.MaxFrameBytes);
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync(_reading.Token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var (blocked, ended) = Admit(parser, ref buffer, result.IsCompleted);
                    reader.AdvanceTo(buffer.Start, blocked ? buffer.Start : buffer.End);
                    if (ended || result.IsCompleted && !blocked || source._stopping)
                    {
                        return;
                    }

                    if (blocked)
                    {
                        await source.WaitForCapacityAsync(_reading.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_reading.IsCancellationRequested)
            {
                // the source closes
            }
            catch (Exception error) when (SocketErrors.IsConnectionError(error))
            {
                Interlocked.Increment(ref source._connectionErrors);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Cuts the frames of <paramref name="buffer"/> that fit in the in-flight bound and queues them as one chunk.
        /// Returns whether it stopped at the bound (frames left unread) and whether the stream ended.
        /// </summary>
        private (bool Blocked, bool Ended) Admit(FrameParser parser, ref ReadOnlySequence<byte> buffer, bool completed)
        {
            var all = buffer;
            var allOffset = parser.Offset;
            _frameCount = 0;
            _errors.Clear();
            var blocked = false;
            var ended = false;
            var permits = 0;
            while (true)
            {
                if (permits == 0 && (permits = source.Reserve(ReserveStep)) == 0)
                {
                    blocked = !source._stopping;
                    ended = source._stopping;
                    break;
                }

                // The fast path: the good frames of the first segment, cut on a span.
                if (_frameCount + permits > _frames.Length)
                {
                    Array.Resize(ref _frames, Math.Max(_frames.Length * 2, _frameCount + permits));
                }

                var cut = parser.ReadGoodFrames(buffer.FirstSpan, _frames.AsSpan(_frameCount, permits), out var consumed);
                if (consumed > 0)
                {
                    buffer = buffer.Slice(consumed);
                    _frameCount += cut;
                    permits -= cut;
                    continue;
                }

                // The general path: a frame across segments, an error, or the end of what was read.
                if (parser.TryRead(ref buffer, out var frame) || completed && parser.TryFinish(ref buffer, out frame))
                {
                    permits--;
                    if (frame.Error is { } kind)
                    {
                        _errors.Add((_frameCount, new SocketFrameException(kind, Name, frame.Offset, frame.Detail!)));
                    }

                    _frames[_frameCount++] = new FrameSpan(frame.PayloadOffset, (int)frame.Payload.Length);
                    if (frame.EndsStream)
                    {
                        ended = true;
                        break;
                    }

                    continue;
                }

                break;
            }

            source.Release(permits);
            if (_frameCount > 0)
            {
                Queue(all, allOffset);
            }

            return (blocked, ended);
        }

        /// <summary>Copies the bytes of the frames cut (one region of the stream) out of the read buffer and queues them as one chunk.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: optimized from its first call
        private void Queue(ReadOnlySequence<byte> all, long allOffset)
        {
            var frames = _frames.AsSpan(0, _frameCount);
            var first = frames[0].PayloadOffset;
            var region = all.Slice(first - allOffset, frames[^1].PayloadOffset + frames[^1].Length - first);
            var data = GC.AllocateUninitializedArray<byte>((int)region.Length); // every byte is written next
            region.CopyTo(data);
            var items = GC.AllocateUninitializedArray<FrameItem>(frames.Length);
            for (var i = 0; i < frames.Length; i++)
            {
                items[i] = new FrameItem((int)(frames[i].PayloadOffset - first), frames[i].Length);
            }

            Dictionary<int, SocketFrameException>? errors = null;
            foreach (var (index, error) in _errors)
            {
                (errors ??= [])[index] = error;
            }

            var firstFrame = _framesAdmitted;
            _framesAdmitted += frames.Length;
            Interlocked.Add(ref source._framesRead, frames.Length);
            if (_errors.Count > 0)
            {
                Interlocked.Add(ref source._frameErrors, _errors.Count);
            }

            source._queue.Writer.TryWrite(new FrameChunk(this, data, items, errors, firstFrame, source.Options.TimeProvider.GetUtcNow()));
        }

        /// <summary>Writes the committed count whenever it grows, until every frame read is acknowledged or the connection closes.</summary>
        private async Task AcknowledgeAsync(Stream stream)
        {
            var buffer = new byte[24];
            long sent = 0;
            try
            {
                while (true)
                {
                    var next = _acks.Next;
                    var committed = Volatile.Read(ref _committed);
                    if (committed > sent)
                    {
                        var length = FrameWriter.WriteAck(buffer, source.Options.Framing, committed);
                        await stream.WriteAsync(buffer.AsMemory(0, length), source._closing.IsCancellationRequested ? CancellationToken.None : source._closing.Token).ConfigureAwait(false);
                        await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        sent = committed;
                        Interlocked.Increment(ref source._acknowledgementsSent);
                        continue;
                    }

                    if (_closing || _readingDone && committed >= Volatile.Read(ref _framesAdmitted))
                    {
                        return;
                    }

                    await next.ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is OperationCanceledException || SocketErrors.IsConnectionError(error))
            {
                // the client went away: what it was not acknowledged, it sends again
            }
        }

        /// <summary>Ends the sending side, then reads and drops until the client closes (briefly): closing with unread input would reset the connection and could discard the last acknowledgement.</summary>
        private async Task ShutdownAsync(Stream stream)
        {
            var scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                if (stream is SslStream tls)
                {
                    await tls.ShutdownAsync().ConfigureAwait(false);
                }

                socket.Shutdown(SocketShutdown.Send);
                using var linger = new CancellationTokenSource(LingerTimeout, source.Options.TimeProvider);
                while (await socket.ReceiveAsync(scratch, SocketFlags.None, linger.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception error) when (error is OperationCanceledException || SocketErrors.IsConnectionError(error))
            {
                // the client is gone or slow to close
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }
}
