namespace DataWeaver.Connectors.Files.Output;

/// <summary>
/// An exclusive lock on a resource that lives in files (an output file, a checkpoint), held by one run at a time:
/// <see cref="Acquire"/> takes it or fails at once with a <see cref="FileLockedException"/> naming the holder;
/// <see cref="Dispose"/> releases it.
/// </summary>
/// <remarks>
/// <para>
/// The lock is an operating-system lock on an open lock file (<c>flock</c> on Linux and macOS through
/// <see cref="FileShare.None"/>, a share mode on Windows), so it belongs to the process: however the process ends,
/// SIGKILL included, the system releases it. A lock file left behind by a process that died is therefore stale by
/// construction and the next run takes it over at once; there is no process-id check to get wrong (a reused pid, a
/// holder on another machine). Beside the lock file, <c>&lt;lock&gt;.holder</c> names the holder (process id, host,
/// start time) for the error a second run gets; it is informative only.
/// </para>
/// <para>
/// The lock is advisory among DataWeaver runs: other programs can still write the files. Locks on network file systems
/// (NFS, SMB) are only as good as those systems' locking, and the .NET setting
/// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1</c> turns them off.
/// </para>
/// </remarks>
public sealed class FileLock : IDisposable
{
    private const string HolderSuffix = ".holder";
    private FileStream? _stream;

    private FileLock(string path, FileStream stream, FileLockHolder holder)
    {
        LockPath = path;
        _stream = stream;
        Holder = holder;
    }

    /// <summary>Gets the lock file, as a full path.</summary>
    public string LockPath { get; }

    /// <summary>Gets this process's holder record, as written beside the lock.</summary>
    public FileLockHolder Holder { get; }

    /// <summary>Gets the lock file that guards <paramref name="file"/>: <c>.&lt;name&gt;.lock</c> in the same folder (hidden on Unix).</summary>
    /// <param name="file">The file to guard.</param>
    /// <returns>The lock file's full path.</returns>
    public static string PathFor(string file)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        var full = Path.GetFullPath(file);
        return Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".lock");
    }

    /// <summary>Takes the lock, creating the lock file (and its folder) when missing.</summary>
    /// <param name="lockPath">The lock file, e.g. from <see cref="PathFor"/>.</param>
    /// <param name="subject">What the lock guards, for the error message, e.g. <c>output 'out.jsonl'</c>.</param>
    /// <param name="timeProvider">Stamps the holder record; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="FileLockedException">Another run (this process or another) holds the lock.</exception>
    public static FileLock Acquire(string lockPath, string subject, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(lockPath);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var path = Path.GetFullPath(lockPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        for (var attempt = 0; ; attempt++)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException exception) when (exception is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
            {
                throw Locked(path, subject, exception);
            }

            // A releasing holder deletes the lock file before closing it: a lock taken on a file that lost its name
            // in between guards nothing, so open the file now at the path again.
            if (!OpenFileCheck.Capture(stream.SafeFileHandle, path).IsStillAtPath() && attempt < 10)
            {
                stream.Dispose();
                continue;
            }

            var holder = FileLockHolder.Current(timeProvider ?? TimeProvider.System);
            try
            {
                WriteHolder(path, holder);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            return new FileLock(path, stream, holder);
        }
    }

    /// <summary>Releases the lock and removes the lock file and its holder record. Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stream, null) is not { } stream)
        {
            return;
        }

        // Unix: remove the names while still holding the lock, so nobody takes a lock on a file about to vanish
        // unnoticed (Acquire re-checks the name). Windows cannot delete a file open without FileShare.Delete.
        if (!OperatingSystem.IsWindows())
        {
            TryDelete(LockPath + HolderSuffix);
            TryDelete(LockPath);
            stream.Dispose();
        }
        else
        {
            stream.Dispose();
            TryDelete(LockPath + HolderSuffix);
            TryDelete(LockPath);
        }
    }

    private static void WriteHolder(string path, FileLockHolder holder)
    {
        var temporary = path + HolderSuffix + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllBytes(temporary, holder.ToJson());
        File.Move(temporary, path + HolderSuffix, overwrite: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left behind: the next run takes it over (the operating-system lock, not the file, is what counts).
        }
    }

    private static FileLockedException Locked(string path, string subject, IOException cause)
    {
        var holder = FileLockHolder.TryRead(path + HolderSuffix);
        return new FileLockedException(
            path,
            holder,
            $"The {subject} is in use by another run ({(holder is null ? "holder unknown" : holder.ToString())}; lock file '{path}'). " +
            "Two runs on one output or one checkpoint would interleave or lose records: wait for that run to end, or give this one its own output and checkpoint.",
            cause);
    }
}
