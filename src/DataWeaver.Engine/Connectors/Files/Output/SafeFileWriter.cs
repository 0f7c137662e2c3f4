using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DataWeaver.Errors;

namespace DataWeaver.Connectors.Files.Output;

/// <summary>
/// Writes one output file so that no run destroys what existed before it: the piece every file sink (JSON lines, and
/// any other format) opens, writes and commits through.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Open"/> creates the file's folder, takes the output's <see cref="FileLock"/> (a second run on the
/// same file fails at once with <see cref="FileLockedException"/>), and removes temporary files that killed runs left.
/// Nothing is created before a run opens its output: building or validating a pipeline touches no disk.</item>
/// <item>Replace mode (the default): bytes go to a hidden temporary file in the same folder,
/// <c>.&lt;name&gt;.dw-tmp-&lt;pid&gt;</c>; <see cref="Commit"/> renames it over the target
/// (atomic: readers see the old file or the new one). Disposing without a commit (a failed or aborted run) deletes
/// the temporary file and leaves the old target untouched.</item>
/// <item>Append mode: bytes go to the end of the target, created when missing; with
/// <see cref="SafeFileWriterOptions.RepairIncompleteLastLine"/> an incomplete last line left by a killed writer is cut
/// first (see <see cref="TruncatedBytes"/>).</item>
/// <item>Every write and the commit check that the file written is still the one at its path: a file deleted,
/// moved or replaced during the run fails the write (a fatal <see cref="DataWeaverException"/>) before anything more
/// is acknowledged, so a source never commits past records that are no longer there.</item>
/// <item>A device, FIFO or socket at the path (<c>/dev/null</c>, a named pipe) is written directly: no lock, no
/// temporary file, no rename over it, no identity checks. There is nothing there a run could destroy.</item>
/// </list>
/// One writer per file; <see cref="WriteAsync"/> calls MUST NOT overlap.
/// </remarks>
public sealed class SafeFileWriter : IAsyncDisposable
{
    private const string TemporaryMarker = ".dw-tmp-";
    private readonly FileLock? _lock;
    private readonly OpenFileCheck? _identity; // null for a device, FIFO or socket
    private FileStream? _stream;
    private bool _committed;

    private SafeFileWriter(string path, string writingPath, SafeFileWriterOptions options, FileLock? fileLock, FileStream stream, long truncated)
    {
        Path = path;
        WritingPath = writingPath;
        Options = options;
        _lock = fileLock;
        _stream = stream;
        TruncatedBytes = truncated;
        _identity = fileLock is null ? null : OpenFileCheck.Capture(stream.SafeFileHandle, writingPath);
    }

    /// <summary>Gets the target file, as a full path.</summary>
    public string Path { get; }

    /// <summary>Gets the file the bytes go to now: the temporary file in replace mode, the target in append mode.</summary>
    public string WritingPath { get; }

    /// <summary>Gets the writer's options.</summary>
    public SafeFileWriterOptions Options { get; }

    /// <summary>Gets how many bytes <see cref="Open"/> cut from the end of the target: an incomplete last line. 0 unless appending with repair.</summary>
    public long TruncatedBytes { get; }

    /// <summary>Gets how many bytes this writer wrote.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Gets a value indicating whether <see cref="Commit"/> completed.</summary>
    public bool IsCommitted => _committed;

    /// <summary>Gets the hidden temporary file a replacing writer of <paramref name="path"/> in this process writes.</summary>
    /// <param name="path">The target file.</param>
    /// <returns><c>.&lt;name&gt;.dw-tmp-&lt;pid&gt;</c> in the target's folder, as a full path.</returns>
    public static string TemporaryPathFor(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, "." + System.IO.Path.GetFileName(full) + TemporaryMarker + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Checks, reading the disk but creating nothing, that an output could be opened at <paramref name="path"/>: the path
    /// is not a folder, and its nearest existing ancestor is a folder (not a file standing where a folder must be
    /// created). For building and validating pipelines, which must not create anything.
    /// </summary>
    /// <param name="path">The target file.</param>
    /// <returns>The target's full path.</returns>
    /// <exception cref="IOException">The path is a folder, or a file stands where a folder of the path must be.</exception>
    public static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"The output '{full}' is a folder; give the path of a file.");
        }

        for (var folder = System.IO.Path.GetDirectoryName(full); folder is not null; folder = System.IO.Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(folder))
            {
                break;
            }

            if (File.Exists(folder))
            {
                throw new IOException($"The folder of the output '{full}' cannot be created: '{folder}' is a file.");
            }
        }

        return full;
    }

    /// <summary>Opens an output: creates its folder, locks it, then opens the temporary file (replace) or the target (append).</summary>
    /// <param name="path">The target file.</param>
    /// <param name="options">Replace or append, repair, durability; <see langword="null"/> uses the defaults.</param>
    /// <returns>The open writer; dispose it, after <see cref="Commit"/> when the run succeeded.</returns>
    /// <exception cref="FileLockedException">Another run writes this output.</exception>
    /// <exception cref="IOException">The folder or file cannot be created or opened.</exception>
    public static SafeFileWriter Open(string path, SafeFileWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SafeFileWriterOptions();
        var full = System.IO.Path.GetFullPath(path);
        if (FileIdentity.IsSpecialFile(full))
        {
            var device = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            return new SafeFileWriter(full, full, options with { Append = true, FlushToDisk = false }, fileLock: null, device, truncated: 0);
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var fileLock = FileLock.Acquire(FileLock.PathFor(full), $"output '{full}'", options.TimeProvider);
        FileStream? stream = null;
        try
        {
            DeleteLeftoverTemporaries(full);
            long truncated = 0;
            string writing;
            if (options.Append)
            {
                truncated = options.RepairIncompleteLastLine ? TrimIncompleteLastLine(full, options.FlushToDisk) : 0;
                writing = full;
                stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
            }
            else
            {
                writing = TemporaryPathFor(full);
                stream = new FileStream(writing, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
            }

            return new SafeFileWriter(full, writing, options, fileLock, stream, truncated);
        }
        catch
        {
            stream?.Dispose();
            if (!options.Append)
            {
                TryDelete(TemporaryPathFor(full));
            }

            fileLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes bytes at the end of the file; with <see cref="SafeFileWriterOptions.FlushToDisk"/> forces them to the disk.
    /// Completes only once the bytes are in the file that is still at its path. Each call checks the file's identity
    /// (one <c>readlink</c> on Linux, a few microseconds): write a batch per call, not a record.
    /// </summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="cancellationToken">Aborts the write.</param>
    /// <returns>A task that completes once the bytes are written.</returns>
    /// <exception cref="DataWeaverException">Fatal: the file was deleted, moved or replaced since it was opened.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var stream = _stream ?? throw new ObjectDisposedException(nameof(SafeFileWriter));
        if (OperatingSystem.IsWindows())
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // A regular file: .NET would make this same blocking write on another thread-pool thread and resume the
            // caller there (a hop per batch); written here instead.
            cancellationToken.ThrowIfCancellationRequested();
            stream.Write(bytes.Span);
        }

        BytesWritten += bytes.Length;
        if (Options.FlushToDisk)
        {
            stream.Flush(flushToDisk: true);
        }

        EnsureStillAtPath();
    }

    /// <summary>
    /// Ends a successful run: flushes the bytes (to the disk with <see cref="SafeFileWriterOptions.FlushToDisk"/>) and, in
    /// replace mode, renames the temporary file over the target. Call once, when every byte of the run was written; a writer disposed without it leaves the old target as
    /// it was. Appending writers only flush (and check that the file is still there).
    /// </summary>
    /// <exception cref="DataWeaverException">Fatal: the file was deleted, moved or replaced since it was opened.</exception>
    public void Commit()
    {
        var stream = _stream ?? throw new ObjectDisposedException(nameof(SafeFileWriter));
        if (_committed)
        {
            return;
        }

        stream.Flush(flushToDisk: Options.FlushToDisk);
        EnsureStillAtPath();
        if (!Options.Append)
        {
            _stream = null;
            stream.Dispose();
            File.Move(WritingPath, Path, overwrite: true); // rename(2): atomic on POSIX file systems and NTFS
        }

        _committed = true;
    }

    /// <summary>Closes the file and releases the lock; without a <see cref="Commit"/>, a replacing writer deletes its temporary file.</summary>
    /// <returns>A task that completes once closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stream, null) is { } stream)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (!Options.Append && !_committed)
        {
            TryDelete(WritingPath);
        }

        _lock?.Dispose();
    }

    private void EnsureStillAtPath()
    {
        if (_identity is { } identity && !identity.IsStillAtPath())
        {
            ThrowReplaced(WritingPath, Path);
        }
    }

    [DoesNotReturn]
    private static void ThrowReplaced(string writing, string target) =>
        throw new DataWeaverException(
            ErrorClass.Fatal,
            $"The output '{writing}'{(writing == target ? string.Empty : $" (the run's temporary file for '{target}')")} was deleted, moved or replaced while this run wrote it. " +
            "The run stops before committing what it wrote there; nothing written into the replaced file counts as delivered.");

    /// <summary>Removes temporary files of this target that runs killed mid-way left (safe: this writer holds the lock).</summary>
    private static void DeleteLeftoverTemporaries(string full)
    {
        var folder = System.IO.Path.GetDirectoryName(full)!;
        foreach (var leftover in Directory.EnumerateFiles(folder, "." + System.IO.Path.GetFileName(full) + TemporaryMarker + "*"))
        {
            TryDelete(leftover);
        }
    }

    /// <summary>Cuts the file after its last line end; returns how many bytes were cut.</summary>
    private static long TrimIncompleteLastLine(string path, bool flushToDisk)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var length = file.Length;
        var chunk = new byte[(int)Math.Min(length, 64 * 1024)];
        var end = length;
        while (end > 0)
        {
            var size = (int)Math.Min(end, chunk.Length);
            file.Position = end - size;
            file.ReadExactly(chunk, 0, size);
            var newline = chunk.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                end = end - size + newline + 1;
                break;
            }

            end -= size;
        }

        if (end == length)
        {
            return 0;
        }

        file.SetLength(end);
        file.Flush(flushToDisk);
        return length - end;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is removed by the next run that opens this output.
        }
    }
}
