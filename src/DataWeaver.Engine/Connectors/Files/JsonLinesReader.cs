using DataWeaver.Buffers;
using DataWeaver.Errors;
using DataWeaver.Records;

namespace DataWeaver.Connectors.Files;

/// <summary>Cuts lines out of pooled read buffers without copying them; copies only a line that straddles two buffers.</summary>
internal sealed class JsonLinesReader : SourceReader<Record<ReadOnlyMemory<byte>>>
{
    private readonly JsonLinesSource _source;
    private readonly FileStream _file;
    private PayloadBuffer _buffer;
    private long _bufferOffset; // file offset of _buffer[0]
    private int _start;         // first byte not yet cut into a line
    private int _end;           // end of the bytes read into _buffer
    private bool _eof;

    // A line above MaxRecordBytes is skipped to its end and rejected with its first bytes, not kept whole.
    private const int RejectedPrefixBytes = 1024;
    private bool _skipping;
    private long _skipStart;
    private long _skipLength;
    private byte[] _skipPrefix = [];

    public JsonLinesReader(JsonLinesSource source)
    {
        _source = source;
        _file = new FileStream(source.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        _file.Seek(source.ReadStartOffset, SeekOrigin.Begin);
        _bufferOffset = source.ReadStartOffset;
        _buffer = source.Options.Pool.Rent(source.Options.BufferSize);
    }

    public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false; // a drain: nothing was read ahead
        }

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
                if (_skipping)
                {
                    EndSkip(buffer, _end - _start, _bufferOffset + _end);
                    _start = _end;
                }
                else if (_start < _end)
                {
                    // The last line has no line end.
                    Emit(buffer, _start, _end - _start, _bufferOffset + _end, now);
                    _start = _end;
                }

                return false;
            }

            MakeRoom();
            var read = await _file.ReadAsync(_buffer.Memory[_end..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _buffer.Dispose();
        await _file.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
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

    private void Emit(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, int start, int length, long resumeOffset, DateTimeOffset now)
    {
        if (length > 0 && _buffer.Array[start + length - 1] == (byte)'\r')
        {
            length--;
        }

        if (length > _source.Options.MaxRecordBytes)
        {
            var offset = _bufferOffset + start;
            buffer.Reject(TooLarge(offset, length), new SourcePosition(0, offset), new SourcePosition(0, resumeOffset), _buffer.Array.AsSpan(start, Math.Min(length, RejectedPrefixBytes)));
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
            new SourcePosition(0, _bufferOffset + start));
        buffer.Add(record, new SourcePosition(0, resumeOffset), length, _buffer);
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
        buffer.Reject(TooLarge(_skipStart, _skipLength + tail), new SourcePosition(0, _skipStart), new SourcePosition(0, resumeOffset), _skipPrefix);
        _skipPrefix = [];
    }

    private RecordTooLargeException TooLarge(long offset, long length) =>
        new($"{_source.FilePath} byte offset {offset}", length, _source.Options.MaxRecordBytes);
}
