namespace DataWeaver.Sftp.Internal;

/// <summary>
/// Where a format's writer puts a batch before the sink sends it: the bytes of the current batch in memory, at a
/// <see cref="Position"/> that counts from the remote file's length, so that a writer sees an appended file as not empty
/// (csv then writes no second header), as it would on a local file.
/// </summary>
internal sealed class BatchBuffer : Stream
{
    private readonly MemoryStream _bytes = new();

    /// <summary>Gets or sets the remote file's length the current batch starts at.</summary>
    public long Start { get; set; }

    public override bool CanRead => false;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => Start + _bytes.Length;

    public override long Position
    {
        get => Length;
        set
        {
            if (value != Length)
            {
                throw new NotSupportedException("A batch buffer is written in order.");
            }
        }
    }

    /// <summary>Gets the current batch's bytes.</summary>
    public ReadOnlyMemory<byte> Batch => _bytes.GetBuffer().AsMemory(0, (int)_bytes.Length);

    /// <summary>Starts the next batch at <paramref name="start"/>.</summary>
    public void Reset(long start)
    {
        _bytes.SetLength(0);
        Start = start;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) =>
        origin == SeekOrigin.End && offset == 0 || origin == SeekOrigin.Current && offset == 0 || origin == SeekOrigin.Begin && offset == Length
            ? Length
            : throw new NotSupportedException("A batch buffer is written in order.");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _bytes.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _bytes.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _bytes.Write(buffer.Span);
        return default;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _bytes.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override void WriteByte(byte value) => _bytes.WriteByte(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bytes.Dispose();
        }

        base.Dispose(disposing);
    }
}
