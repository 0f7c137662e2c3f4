using DataWeaver.Buffers;
using DataWeaver.Errors;
using DataWeaver.Records;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// Cuts lines out of pooled read buffers without copying them; copies only a line that straddles two buffers. Only
/// lines with their line end are produced: bytes after the last <c>\n</c> wait for the rest of their line (following)
/// or stay unread (a finite read), so no position inside a line is ever produced or committed.
/// </summary>
internal sealed class JsonLinesReader : SourceReader<Record<ReadOnlyMemory<byte>>>
{
    private readonly JsonLinesSource _source;
    private JsonLinesSource.FileGeneration _file;
    private PayloadBuffer _buffer;
    private long _bufferOffset; // file offset of _buffer[0]
    private int _start;         // first byte not yet cut into a line
    private int _end;           // end of the bytes read into _buffer
    private bool _eof;          // the last read returned nothing
    private bool _produced;     // this fill added or rejected a line
    private bool _tailReported;
    private bool _rotationSeen;

    // A line above MaxRecordBytes is skipped to its end and rejected with its first bytes, not kept whole.
    private const int RejectedPrefixBytes = 1024;
    private bool _skipping;
    private long _skipStart;
    private long _skipLength;
    private byte[] _skipPrefix = [];

    public JsonLinesReader(JsonLinesSource source)
    {
        _source = source;
        _file = source.Current;
        _bufferOffset = source.ReadStartOffset;
        _buffer = source.Options.Pool.Rent(source.Options.BufferSize);
    }

    private int Partition => _file.Number;

    public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false; // a drain: nothing was read ahead
        }

        _produced = false;
        var now = _source.Options.TimeProvider.GetUtcNow();
        while (true)
        {
            CutLines(buffer, now);
            if (buffer.IsFull)
            {
                return true;
            }

            if (_eof)
            {
                if (!_source.Options.Follow)
                {
                    if (_source.Options.ReadUnterminatedLastLine && (_skipping || _start < _end))
                    {
                        EmitTail(buffer, now);
                    }

                    ReportTail();
                    return false;
                }

                if (_produced)
                {
                    return true; // records never wait for more lines
                }

                if (!await FollowAsync(buffer, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                continue;
            }

            MakeRoom();
            var read = await RandomAccess.ReadAsync(_file.Handle, _buffer.Memory[_end..], _bufferOffset + _end, cancellationToken).ConfigureAwait(false);
            _eof = read == 0;
            _end += read;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _buffer.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// At the end of a followed file with nothing produced: waits for more, or handles a truncated or rotated file.
    /// Returns <see langword="false"/> when the pipeline stops reading.
    /// </summary>
    private async ValueTask<bool> FollowAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
    {
        var readEnd = _bufferOffset + _end;
        var length = RandomAccess.GetLength(_file.Handle);
        if (length > readEnd)
        {
            _eof = false;
            _rotationSeen = false;
            return true;
        }

        var (fingerprintLength, fingerprint) = _file.FingerprintUpTo(readEnd);
        if (length < readEnd || (fingerprintLength > 0 && FileIdentity.Fingerprint(_file.Handle, fingerprintLength) != fingerprint))
        {
            // Truncated (or rewritten) in place: what was read is gone; read the file again from byte 0.
            if (!await WaitAcknowledgedAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            _source.Notify(JsonLinesSourceNoticeKind.Truncated, readEnd, 0, $"'{_source.DisplayPath}' was truncated or rewritten while followed ({length} bytes, {readEnd} were read): it is read again from byte 0.");
            return SwitchFile();
        }

        var now = FileIdentity.Of(_source.FilePath);
        if (now is { IsKnown: true } identity && _file.Identity.IsKnown && identity != _file.Identity)
        {
            if (!_rotationSeen)
            {
                // Give the writer one more interval to finish with the old file before it is taken as complete.
                _rotationSeen = true;
                return await DelayAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_skipping || _start < _end)
            {
                // No writer will complete the old file's last line at this path any more: it is a final line.
                var tailOffset = _skipping ? _skipStart : _bufferOffset + _start;
                _source.Notify(JsonLinesSourceNoticeKind.RotatedTailRead, tailOffset, readEnd - tailOffset, $"'{_source.DisplayPath}' was rotated with a last line without a line end at byte offset {tailOffset}: it was read as a final line.");
                EmitTail(buffer, _source.Options.TimeProvider.GetUtcNow());
                return true;
            }

            if (!await WaitAcknowledgedAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            _source.Notify(JsonLinesSourceNoticeKind.Replaced, readEnd, 0, $"'{_source.DisplayPath}' was rotated: the old file ({_file.Identity}) was read to its end ({readEnd} bytes), and the new one ({identity}) is read from byte 0.");
            return SwitchFile();
        }

        return await DelayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every line produced from the current file was acknowledged, so a commit of the next file covers them.</summary>
    private async ValueTask<bool> WaitAcknowledgedAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _file.Acknowledged) < _file.LastResume)
        {
            if (!await DelayAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<bool> DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_source.Options.PollInterval, _source.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Reads on from byte 0 of the file the path names now, as the next partition.</summary>
    private bool SwitchFile()
    {
        _file = _source.Replace(_source.OpenFile(_source.FilePath));
        if (_buffer.ReferenceCount != 1)
        {
            var next = _source.Options.Pool.Rent(_source.Options.BufferSize);
            _buffer.Dispose();
            _buffer = next;
        }

        _bufferOffset = 0;
        _start = 0;
        _end = 0;
        _eof = false;
        _skipping = false;
        _skipPrefix = [];
        _rotationSeen = false;
        _tailReported = false;
        return true;
    }

    /// <summary>At the end of a finite read: reports bytes after the last line end, which stay unread.</summary>
    private void ReportTail()
    {
        var readEnd = _bufferOffset + _end;
        var tailOffset = _skipping ? _skipStart : _bufferOffset + _start;
        var bytes = readEnd - tailOffset;
        _source.SetUnterminated(bytes);
        if (bytes > 0 && !_tailReported)
        {
            _tailReported = true;
            _source.Notify(JsonLinesSourceNoticeKind.UnterminatedTail, tailOffset, bytes, $"'{_source.DisplayPath}' ends with {bytes} bytes without a line end at byte offset {tailOffset}: a line still being written, or a last line without its line end. They were not read and not committed; the next run reads the line once it ends with a line end.");
        }
    }

    private void CutLines(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, DateTimeOffset now)
    {
        var bytes = _buffer.Array;
        while (!buffer.IsFull && _start < _end)
        {
            var length = bytes.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (_skipping)
            {
                // Inside an oversized line: drop bytes up to its end.
                var dropped = length < 0 ? _end - _start : length;
                if (length < 0)
                {
                    _skipLength += dropped;
                    _start = _end;
                    return;
                }

                EndSkip(buffer, dropped, _bufferOffset + _start + length + 1);
                _start += length + 1;
                continue;
            }

            if (length < 0)
            {
                return;
            }

            Emit(buffer, _start, length, _bufferOffset + _start + length + 1, now);
            _start += length + 1;
        }
    }

    /// <summary>Produces the bytes after the last line end as a final line (a rotated file's last line).</summary>
    private void EmitTail(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, DateTimeOffset now)
    {
        if (_skipping)
        {
            EndSkip(buffer, _end - _start, _bufferOffset + _end);
        }
        else
        {
            Emit(buffer, _start, _end - _start, _bufferOffset + _end, now);
        }

        _start = _end;
    }

    private void Emit(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, int start, int length, long resumeOffset, DateTimeOffset now)
    {
        if (length > 0 && _buffer.Array[start + length - 1] == (byte)'\r')
        {
            length--;
        }

        if (length > _source.Options.MaxRecordBytes)
        {
            var offset = _bufferOffset + start;
            buffer.Reject(TooLarge(offset, length), new SourcePosition(Partition, offset), new SourcePosition(Partition, resumeOffset), _buffer.Array.AsSpan(start, Math.Min(length, RejectedPrefixBytes)));
            Produced(resumeOffset);
            return;
        }

        if (length == 0)
        {
            return;
        }

        var record = new Record<ReadOnlyMemory<byte>>(
            ReadOnlyMemory<byte>.Empty,
            _buffer.Memory.Slice(start, length),
            null,
            now,
            new SourcePosition(Partition, _bufferOffset + start));
        buffer.Add(record, new SourcePosition(Partition, resumeOffset), length, _buffer);
        Produced(resumeOffset);
    }

    private void Produced(long resumeOffset)
    {
        _produced = true;
        _file.LastResume = resumeOffset;
        _source.SetUnterminated(0);
    }

    /// <summary>Ensures free space after <see cref="_end"/>, keeping the unfinished line at the start.</summary>
    private void MakeRoom()
    {
        if (_end < _buffer.Array.Length)
        {
            return;
        }

        var pending = _end - _start;

        // A trailing \r may belong to a \r\n line end that the next read completes; it is not part of the line.
        var lineBytes = pending > 0 && _buffer.Array[_end - 1] == (byte)'\r' ? pending - 1 : pending;
        if (lineBytes > _source.Options.MaxRecordBytes)
        {
            // The line is already too long: keep its first bytes for the dead letter and drop the rest as it comes.
            _skipping = true;
            _skipStart = _bufferOffset + _start;
            _skipLength = pending;
            _skipPrefix = _buffer.Array.AsSpan(_start, Math.Min(pending, RejectedPrefixBytes)).ToArray();
            _start = _end;
            pending = 0;
        }

        var size = Math.Max(_source.Options.BufferSize, pending * 2);
        if (_buffer.ReferenceCount == 1 && size <= _buffer.Array.Length)
        {
            // No batch holds records of this buffer any more: reuse it in place.
            _buffer.Array.AsSpan(_start, pending).CopyTo(_buffer.Array);
        }
        else
        {
            var next = _source.Options.Pool.Rent(size);
            _buffer.Array.AsSpan(_start, pending).CopyTo(next.Array);
            _buffer.Dispose();
            _buffer = next;
        }

        _bufferOffset += _start;
        _start = 0;
        _end = pending;
    }

    /// <summary>Rejects the oversized line being skipped: <paramref name="tail"/> more bytes up to its end, reading resumes at <paramref name="resumeOffset"/>.</summary>
    private void EndSkip(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, long tail, long resumeOffset)
    {
        _skipping = false;
        buffer.Reject(TooLarge(_skipStart, _skipLength + tail), new SourcePosition(Partition, _skipStart), new SourcePosition(Partition, resumeOffset), _skipPrefix);
        _skipPrefix = [];
        Produced(resumeOffset);
    }

    private RecordTooLargeException TooLarge(long offset, long length) =>
        new($"{_source.DisplayPath} byte offset {offset}", length, _source.Options.MaxRecordBytes);
}
