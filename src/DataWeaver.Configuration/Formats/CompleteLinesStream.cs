namespace DataWeaver.Configuration.Formats;

/// <summary>
/// A read-only view of a stream that ends at its last line end: bytes after the last <c>\n</c> (a line a writer is
/// still writing) are held back, so a parser over it never sees half a record. With a quote byte, a <c>\n</c> inside
/// quotes (a CSV field holding a line break, RFC 4180) does not end a line. For formats whose records end with a line
/// end but whose parser reads the stream itself (CSV); see <see cref="RecordFileReader.ReadIncompleteLastRecord"/>.
/// </summary>
public sealed class CompleteLinesStream : Stream
{
    private const int ChunkBytes = 64 * 1024;

    private readonly Stream _inner;
    private readonly int _quote;
    private readonly int _maxHeldBytes;
    private byte[] _buffer = new byte[ChunkBytes];
    private int _start;    // first byte not yet returned
    private int _complete; // end of the bytes that end with a line end
    private int _scanned;  // end of the bytes scanned for line ends
    private int _end;      // end of the bytes read
    private long _offset;  // stream offset of _buffer[0]
    private bool _inQuotes;
    private bool _eof;

    /// <summary>Creates the view.</summary>
    /// <param name="inner">The stream read; disposed with the view.</param>
    /// <param name="quote">The quote byte inside which <c>\n</c> does not end a line, or <see langword="null"/> for none.</param>
    /// <param name="maxHeldBytes">
    /// The most bytes held back waiting for a line end; past it they are passed on (the parser then rejects an overlong
    /// record by its own limit).
    /// </param>
    public CompleteLinesStream(Stream inner, byte? quote = null, int maxHeldBytes = 64 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeldBytes);
        _inner = inner;
        _quote = quote ?? -1;
        _maxHeldBytes = maxHeldBytes;
    }

    /// <summary>Gets or sets a value indicating whether the bytes after the last line end are passed on once the inner stream ends.</summary>
    /// <value>The default is <see langword="false"/>: they are held back and counted in <see cref="HeldBytes"/>.</value>
    public bool PassIncompleteTail { get; set; }

    /// <summary>Gets how many bytes after the last line end were held back once the inner stream ended; 0 before that.</summary>
    public long HeldBytes => _eof && !PassIncompleteTail ? _end - _complete : 0;

    /// <summary>Gets the offset in the inner stream of the first held-back byte.</summary>
    public long HeldOffset => _offset + _complete;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _offset + _start;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        while (_start == _complete && !_eof)
        {
            MakeRoom();
            Filled(_inner.Read(_buffer.AsSpan(_end)));
        }

        return Take(buffer);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_start == _complete && !_eof)
        {
            MakeRoom();
            Filled(await _inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
        }

        return Take(buffer.Span);
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Take(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _complete - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    private void Filled(int read)
    {
        if (read == 0)
        {
            _eof = true;
            if (PassIncompleteTail)
            {
                _complete = _end;
            }

            return;
        }

        _end += read;
        if (_quote < 0 || (!_inQuotes && !_buffer.AsSpan(_scanned, _end - _scanned).Contains((byte)_quote)))
        {
            // No quote in what was read (nearly every csv file of plain cells): two passes over the whole read, not a call per line.
            var last = _buffer.AsSpan(_scanned, _end - _scanned).LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                _complete = _scanned + last + 1;
            }
        }
        else
        {
            // Vectorized: jump from quote to quote, and to line ends outside quotes.
            var quote = (byte)_quote;
            var i = _scanned;
            while (i < _end)
            {
                var span = _buffer.AsSpan(i, _end - i);
                var next = _inQuotes ? span.IndexOf(quote) : span.IndexOfAny(quote, (byte)'\n');
                if (next < 0)
                {
                    break;
                }

                i += next;
                if (_buffer[i] == quote)
                {
                    _inQuotes = !_inQuotes;
                }
                else
                {
                    _complete = i + 1;
                }

                i++;
            }
        }

        _scanned = _end;
        if (_end - _complete > _maxHeldBytes)
        {
            _complete = _end;
        }
    }

    /// <summary>Moves the unreturned bytes to the front and makes room for a read.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _offset += _start;
            _complete -= _start;
            _scanned -= _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
    }
}
