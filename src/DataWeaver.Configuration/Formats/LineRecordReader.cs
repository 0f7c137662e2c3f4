using System.Globalization;
using DataWeaver.Buffers;
using DataWeaver.Checkpoints;
using DataWeaver.Errors;

namespace DataWeaver.Configuration.Formats;

/// <summary>Cuts lines out of pooled read buffers (copying only a line that straddles two buffers) and decodes them.</summary>
internal sealed class LineRecordReader : RecordFileReader
{
    private const int BufferSize = 64 * 1024;
    private const int RejectedPrefixBytes = 1024;

    private readonly LineRecordFormat _format;
    private readonly Stream _input;
    private readonly string _fileName;
    private PayloadBuffer _buffer;
    private long _bufferOffset; // stream offset of _buffer[0]
    private int _start;
    private int _end;
    private bool _eof;
    private long _line;         // lines read so far, when reading began at the start
    private bool _lineKnown = true;

    public LineRecordReader(LineRecordFormat format, Stream input, string fileName)
    {
        _format = format;
        _input = input;
        _fileName = fileName;
        _buffer = PayloadPool.Shared.Rent(BufferSize);
    }

    public override bool IsNextBuffered => _eof || _buffer.Array.AsSpan(_start, _end - _start).Contains((byte)'\n');

    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        // A line already in the buffer (nearly every record) is decoded without an asynchronous state machine.
        while (_buffer.Array.AsSpan(_start, _end - _start).IndexOf((byte)'\n') is var index and >= 0)
        {
            var start = _start;
            _start += index + 1;
            _line++;
            if (Emit(start, index, _bufferOffset + _start))
            {
                return new ValueTask<bool>(true);
            }
        }

        return MoveNextSlowAsync(cancellationToken);
    }

    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var bytes = _buffer.Array;
            var index = bytes.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (index >= 0)
            {
                var start = _start;
                _start += index + 1;
                _line++;
                if (Emit(start, index, _bufferOffset + _start))
                {
                    return true;
                }

                continue;
            }

            if (_eof)
            {
                if (_start < _end && !ReadIncompleteLastRecord)
                {
                    // A line without its line end: maybe still being written. Not read, so nothing resumes after it.
                    IncompleteTailPosition = _bufferOffset + _start;
                    IncompleteTailBytes = _end - _start;
                    return false;
                }

                if (_start < _end)
                {
                    var start = _start;
                    _start = _end;
                    _line++;
                    if (Emit(start, _end - start, _bufferOffset + _end))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (_end - _start > _format.MaxLineBytes + 1)
            {
                return await SkipLongLineAsync(cancellationToken).ConfigureAwait(false);
            }

            MakeRoom();
            var read = await _input.ReadAsync(_buffer.Memory[_end..], cancellationToken).ConfigureAwait(false);
            _eof = read == 0;
            _end += read;
        }
    }

    public override async ValueTask SkipToAsync(long resumePosition, CancellationToken cancellationToken)
    {
        if (resumePosition == 0)
        {
            return;
        }

        if (!_input.CanSeek)
        {
            await base.SkipToAsync(resumePosition, cancellationToken).ConfigureAwait(false);
            _lineKnown = false;
            return;
        }

        var length = _input.Length;
        if (resumePosition > length)
        {
            throw new CheckpointException(_fileName, string.Create(CultureInfo.InvariantCulture, $"The checkpoint of '{_fileName}' is at byte offset {resumePosition}, beyond the end of the file ({length} bytes): the file was replaced or truncated since. Delete the checkpoint to read it again."));
        }

        _input.Seek(resumePosition - 1, SeekOrigin.Begin);
        if (_input.ReadByte() != '\n')
        {
            throw new CheckpointException(_fileName, string.Create(CultureInfo.InvariantCulture, $"The checkpoint of '{_fileName}' is at byte offset {resumePosition}, which is not the start of a line: the file was replaced or edited since. Delete the checkpoint to read it again."));
        }

        _bufferOffset = resumePosition;
        _start = _end = 0;
        _lineKnown = false;
    }

    public override async ValueTask DisposeAsync()
    {
        _buffer.Dispose();
        await _input.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override string Describe() => _fileName;

    /// <summary>Decodes the line at <paramref name="start"/>; <see langword="false"/> for an empty line (skipped).</summary>
    private bool Emit(int start, int length, long resume)
    {
        if (length > 0 && _buffer.Array[start + length - 1] == (byte)'\r')
        {
            length--;
        }

        if (length == 0)
        {
            return false;
        }

        var position = _bufferOffset + start;
        var line = _buffer.Memory.Slice(start, length);
        if (length > _format.MaxLineBytes)
        {
            Current = RecordFileItem.Bad(TooLarge(position, length), position, resume, line[..Math.Min(length, RejectedPrefixBytes)]);
            return true;
        }

        try
        {
            var record = _format.DecodeLine(line);
            Current = RecordFileItem.Ok(record, position, resume, length, _format.Borrows ? _buffer : null);
        }
        catch (Exception exception) when (LineRecordFormat.IsDecodeError(exception))
        {
            Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{Where(position)}: {exception.Message}", exception), position, resume, line);
        }

        return true;
    }

    private string Where(long position) => _lineKnown
        ? string.Create(CultureInfo.InvariantCulture, $"{_fileName} line {_line} (byte offset {position})")
        : string.Create(CultureInfo.InvariantCulture, $"{_fileName} byte offset {position}");

    private RecordTooLargeException TooLarge(long position, long length) => new(Where(position), length, _format.MaxLineBytes);

    /// <summary>
    /// Drops a line longer than the limit up to its end and reports it with its first bytes; <see langword="false"/> when
    /// the input ends before the line does (and <see cref="RecordFileReader.ReadIncompleteLastRecord"/> is not set).
    /// </summary>
    private async ValueTask<bool> SkipLongLineAsync(CancellationToken cancellationToken)
    {
        var position = _bufferOffset + _start;
        var prefix = _buffer.Array.AsSpan(_start, Math.Min(_end - _start, RejectedPrefixBytes)).ToArray();
        long length = _end - _start;
        _line++;
        var line = _line;
        _bufferOffset += _end;
        _start = _end = 0;
        while (true)
        {
            MakeRoom();
            var read = await _input.ReadAsync(_buffer.Memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
                break;
            }

            var index = _buffer.Array.AsSpan(0, read).IndexOf((byte)'\n');
            if (index >= 0)
            {
                length += index;
                _start = index + 1;
                _end = read;
                break;
            }

            length += read;
            _bufferOffset += read;
        }

        _line = line;
        if (_eof && !ReadIncompleteLastRecord)
        {
            IncompleteTailPosition = position;
            IncompleteTailBytes = length;
            return false;
        }

        Current = RecordFileItem.Bad(TooLarge(position, length), position, _bufferOffset + _start, prefix);
        return true;
    }

    /// <summary>Ensures free space after <see cref="_end"/>, keeping the unfinished line at the start.</summary>
    private void MakeRoom()
    {
        if (_end < _buffer.Array.Length && _start < _end)
        {
            return;
        }

        var pending = _end - _start;
        var size = Math.Max(BufferSize, pending * 2);
        if (_buffer.ReferenceCount == 1 && size <= _buffer.Array.Length)
        {
            _buffer.Array.AsSpan(_start, pending).CopyTo(_buffer.Array);
        }
        else
        {
            var next = PayloadPool.Shared.Rent(size);
            _buffer.Array.AsSpan(_start, pending).CopyTo(next.Array);
            _buffer.Dispose();
            _buffer = next;
        }

        _bufferOffset += _start;
        _start = 0;
        _end = pending;
    }
}
