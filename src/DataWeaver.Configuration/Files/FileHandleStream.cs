using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Configuration.Files;

/// <summary>
/// A seekable read-only stream over an open file that does not own its handle, so that a file can be read again from
/// its start (a checkpoint that turned out not to fit) through the same handle: the same file, even if the path was
/// replaced meanwhile. With a <see cref="FileFollow"/>, a read at the end of the file waits for more bytes instead of
/// returning 0, until the follow ends (the file was truncated or rotated, or a newer file is to be read): a format
/// reader over it then never sees the end of a record that is still being written, it waits for the rest.
/// </summary>
internal sealed class FileHandleStream(SafeFileHandle handle, FileFollow? follow = null) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => RandomAccess.GetLength(handle);

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (follow is not null && buffer.Length > 0)
        {
            // Waiting for more bytes needs the clock's timers: block on the asynchronous read (formats read asynchronously).
            var bytes = new byte[buffer.Length];
            var read = ReadAsync(bytes, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            bytes.AsSpan(0, read).CopyTo(buffer);
            return read;
        }

        var n = RandomAccess.Read(handle, buffer, _position);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <remarks>
    /// Off Windows the read is made on the calling thread: the handle is seekable (a regular file, so the read never
    /// waits for a writer), and .NET would otherwise make the same blocking read on another thread-pool thread and
    /// resume the caller there, a hop per buffer of records. On Windows the read is overlapped.
    /// </remarks>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = OperatingSystem.IsWindows()
                ? await RandomAccess.ReadAsync(handle, buffer, _position, cancellationToken).ConfigureAwait(false)
                : RandomAccess.Read(handle, buffer.Span, _position);
            _position += n;
            if (n > 0 || buffer.Length == 0 || follow is null)
            {
                follow?.Read();
                return n;
            }

            if (!await follow.WaitAsync(_position, cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
