using DataWeaver.Connectors.Files.Output;

namespace DataWeaver.Configuration.Files;

/// <summary>
/// The one place a <see cref="FileSink"/> opens, writes, completes and closes its file, on the engine's
/// <see cref="SafeFileWriter"/>: the output is locked for the run, a non-append output is written under a temporary name
/// and renamed over the target by <see cref="CompleteAsync"/> (a run that never completes leaves the target untouched),
/// an appended file's torn last line is cut first when the format ends records with line ends, and every flush checks
/// that the file is still the one at its path. Standard output is written in place.
/// </summary>
internal sealed class FileOutput : IAsyncDisposable
{
    private const int BufferBytes = 64 * 1024;
    private readonly SafeFileWriter? _writer;

    private FileOutput(Stream stream, SafeFileWriter? writer)
    {
        Stream = stream;
        _writer = writer;
    }

    /// <summary>Gets the stream to write: buffered, so that each <see cref="Stream.FlushAsync()"/> (one per batch) is one write to the file.</summary>
    public Stream Stream { get; }

    /// <summary>Opens an output.</summary>
    /// <param name="path">The file, or <c>-</c> for standard output.</param>
    /// <param name="options">Append, repair and durability.</param>
    /// <param name="standardOutput">What <c>-</c> writes; <see langword="null"/> for the process's standard output.</param>
    /// <returns>The output.</returns>
    /// <exception cref="FileLockedException">Another run writes this output.</exception>
    public static FileOutput Open(string path, SafeFileWriterOptions options, Func<Stream>? standardOutput)
    {
        if (path == "-")
        {
            return new FileOutput(standardOutput?.Invoke() ?? Console.OpenStandardOutput(), null);
        }

        var writer = SafeFileWriter.Open(path, options);
        var existing = options.Append ? new FileInfo(writer.Path).Length : 0; // after the torn-line repair, under the lock
        return new FileOutput(new BufferedStream(new WriterStream(writer, existing), BufferBytes), writer);
    }

    /// <summary>Makes the output final: flushes it and, in replace mode, moves the temporary file over the target.</summary>
    /// <param name="cancellationToken">Aborts the flush.</param>
    /// <returns>A task that completes once the target holds the output.</returns>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _writer?.Commit();
    }

    /// <summary>Closes the output and releases its lock; a replacing output never completed is deleted.</summary>
    /// <returns>A task that completes once closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_writer is null)
        {
            await Stream.FlushAsync().ConfigureAwait(false); // standard output stays open for the process
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false); // without Commit, what is still buffered is not wanted
    }

    /// <summary>
    /// A write-only stream over a <see cref="SafeFileWriter"/> whose <see cref="Position"/> is the file's length, so a
    /// format writer sees whether it continues an existing file (a CSV writer then writes no second header). It can
    /// "seek" only to where it is.
    /// </summary>
    private sealed class WriterStream(SafeFileWriter writer, long existing) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => existing + writer.BytesWritten;

        public override long Position
        {
            get => Length;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => writer.WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            writer.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            writer.WriteAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) =>
            (origin == SeekOrigin.Begin && offset == Length) || (origin != SeekOrigin.Begin && offset == 0) ? Length : throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
