namespace DataWeaver.Configuration.Files;

/// <summary>
/// The one place a <see cref="FileSink"/> opens, writes, completes and closes its file: a non-append output is written
/// under a temporary name beside the target and renamed over it by <see cref="CompleteAsync"/>; an output never
/// completed is deleted by <see cref="DisposeAsync"/>, so a failed run leaves the target untouched. Appends and standard
/// output are written in place. (The engine's shared output-safety piece replaces this type.)
/// </summary>
internal sealed class FileOutput : IAsyncDisposable
{
    private readonly string? _target;
    private readonly string? _temporary;
    private readonly FileStream? _file;
    private bool _completed;

    private FileOutput(Stream stream, string? target, string? temporary)
    {
        Stream = stream;
        _file = stream as FileStream;
        _target = target;
        _temporary = temporary;
    }

    /// <summary>Gets the stream to write.</summary>
    public Stream Stream { get; }

    /// <summary>Opens an output.</summary>
    /// <param name="path">The file, or <c>-</c> for standard output.</param>
    /// <param name="append">Append to the file instead of replacing it on completion.</param>
    /// <param name="standardOutput">What <c>-</c> writes; <see langword="null"/> for the process's standard output.</param>
    /// <returns>The output.</returns>
    public static FileOutput Open(string path, bool append, Func<Stream>? standardOutput)
    {
        if (path == "-")
        {
            return new FileOutput(standardOutput?.Invoke() ?? Console.OpenStandardOutput(), null, null);
        }

        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        if (append)
        {
            return new FileOutput(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous), path, null);
        }

        var temporary = Path.Combine(Path.GetDirectoryName(path) ?? ".", "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        return new FileOutput(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous), path, temporary);
    }

    /// <summary>Forces what was written to the disk.</summary>
    public void FlushToDisk() => _file?.Flush(flushToDisk: true);

    /// <summary>Makes the output final: flushes it and moves a temporary file over the target.</summary>
    /// <param name="cancellationToken">Aborts the flush.</param>
    /// <returns>A task that completes once the target holds the output.</returns>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_temporary is not null && !_completed)
        {
            _file!.Flush(flushToDisk: true);
            await _file.DisposeAsync().ConfigureAwait(false);
            File.Move(_temporary, _target!, overwrite: true);
        }

        _completed = true;
    }

    /// <summary>Closes the output; a temporary file that was never completed is deleted.</summary>
    /// <returns>A task that completes once closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_target is null)
        {
            await Stream.FlushAsync().ConfigureAwait(false); // standard output stays open for the process
            return;
        }

        await Stream.DisposeAsync().ConfigureAwait(false);
        if (_temporary is not null && !_completed)
        {
            File.Delete(_temporary);
        }
    }
}
