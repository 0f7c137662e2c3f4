using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Formats;
using DataWeaver.Connectors.Files;
using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Configuration.Files;

/// <summary>
/// Lists the files of a <see cref="FileSource"/> in name order (again once they are done, for new ones) and opens each at
/// its checkpoint. A checkpoint holds the file's identity (device and inode) and a fingerprint of its first bytes besides
/// the position, so a checkpoint of another file (rotated, replaced) or beyond the end of a truncated file restarts that
/// file from its start with a notice instead of failing or resuming at a wrong place.
/// </summary>
/// <param name="path">The file, folder, pattern or <c>-</c> read.</param>
/// <param name="options">The source's options.</param>
/// <param name="source">The source, told of notices.</param>
/// <param name="follow">Whether files are followed (<see cref="FileSourceOptions.Follow"/>).</param>
/// <param name="stopping">Signalled when the source stops reading: ends waits for more bytes.</param>
internal sealed class FileInputs(string path, FileSourceOptions options, FileSource source, bool follow = false, CancellationToken stopping = default)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _pending = new();
    private int _partition;
    private bool _listed;

    /// <summary>Fails when a single input file or the folder of a pattern does not exist.</summary>
    /// <exception cref="InputFileNotFoundException">The file or folder does not exist.</exception>
    public static void Check(string path, FileSourceOptions options, string sourceName)
    {
        if (path == "-")
        {
            return;
        }

        var (folder, pattern) = Split(path);
        if (pattern is null && !File.Exists(path))
        {
            throw Missing(path, options, sourceName);
        }

        if (pattern is not null && !Directory.Exists(folder))
        {
            var shown = Scrub(options, folder);
            throw new InputFileNotFoundException(shown, $"The input folder '{shown}' of the source '{sourceName}' does not exist.");
        }
    }

    /// <summary>Opens the next file, or returns <see langword="null"/> when every file was read.</summary>
    public async ValueTask<OpenFile?> OpenNextAsync(CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            if (_listed)
            {
                return null;
            }

            _listed = true;
            var stdin = options.StandardInput?.Invoke() ?? Console.OpenStandardInput();
            var reader = options.Format.CreateReader(Decompress(stdin, "-"), "stdin");
            reader.ReadIncompleteLastRecord = true; // a closed input's last line is final: no writer can finish it
            return new OpenFile(reader, _partition++, new FileCheckpoint("stdin", "stdin", default, null), null, "-");
        }

        while (true)
        {
            if (_pending.Count == 0)
            {
                var (folder, pattern) = Split(path);
                if (pattern is null && _listed)
                {
                    return null;
                }

                _listed = true;
                var files = pattern is null ? [path] : Directory.GetFiles(folder, pattern).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')).ToArray();
                Array.Sort(files, StringComparer.Ordinal);
                foreach (var file in files)
                {
                    if (_seen.Add(file))
                    {
                        _pending.Enqueue(file);
                    }
                }

                if (_pending.Count == 0)
                {
                    return null;
                }
            }

            var next = _pending.Dequeue();
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(next, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
            {
                if (Split(path).Pattern is null)
                {
                    throw Missing(next, options, source.Name);
                }

                continue; // listed, then deleted before it was read
            }

            try
            {
                return await OpenAsync(next, handle, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
    }

    private async ValueTask<OpenFile> OpenAsync(string file, SafeFileHandle handle, CancellationToken cancellationToken)
    {
        var name = Scrub(options, System.IO.Path.GetFileName(file));
        var key = options.CheckpointKeyPrefix + Hash(System.IO.Path.GetFullPath(file)) + ":" + name;
        var identity = FileIdentity.Of(handle);
        var length = RandomAccess.GetLength(handle);
        var fingerprintLength = (int)Math.Min(length, FileIdentity.FingerprintBytes);
        var fingerprint = fingerprintLength > 0 ? FileIdentity.Fingerprint(handle, fingerprintLength) ?? 0 : 0;
        var checkpoint = new FileCheckpoint(key, name, identity, new FileFollow(handle, file, identity, fingerprintLength, fingerprint, follow ? options : null, NewerFile, stopping));
        long resume = 0;
        if (options.CheckpointStore is { } store && await store.LoadAsync(key, cancellationToken).ConfigureAwait(false) is { } positions
            && FileCheckpointIdentity.FromPositions(positions) is { } saved)
        {
            resume = Resume(checkpoint, handle, saved);
        }

        var reader = CreateReader(handle, file, name, checkpoint.Follow, out var raw);
        if (resume == 0)
        {
            return new OpenFile(reader, _partition++, checkpoint, handle, file) { Raw = raw };
        }

        try
        {
            await reader.SkipToAsync(resume, cancellationToken).ConfigureAwait(false);
        }
        catch (CheckpointException)
        {
            // The file ends before the checkpoint, or no record ends there: it was truncated or rewritten.
            await reader.DisposeAsync().ConfigureAwait(false);
            source.Notify(FileSourceNoticeKind.Truncated, name, resume, 0, $"The checkpoint of '{name}' (position {resume}) is beyond its end or not at the end of a record: the file was truncated or rewritten, so it is read again from its start.");
            reader = CreateReader(handle, file, name, checkpoint.Follow, out raw);
            resume = 0;
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new OpenFile(reader, _partition++, checkpoint, handle, file) { Raw = raw, Resume = resume };
    }

    /// <summary>
    /// Reads on in a followed file that grew, with a new reader moved to the last resume position (for formats whose
    /// reader does not hand out records as they arrive, see <see cref="RecordFileFormat.ReadsRecordsAsTheyArrive"/>).
    /// </summary>
    /// <returns><see langword="false"/> when no record ends at that position any more: the file was rewritten.</returns>
    public async ValueTask<bool> ReadOnAsync(OpenFile file, CancellationToken cancellationToken)
    {
        var reader = CreateReader(file.Handle, file.FilePath, file.Checkpoint.Name, file.Checkpoint.Follow, out var raw);
        try
        {
            await reader.SkipToAsync(file.Resume, cancellationToken).ConfigureAwait(false);
        }
        catch (CheckpointException)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await file.Reader.DisposeAsync().ConfigureAwait(false);
        file.Reader = reader;
        file.Raw = raw;
        return true;
    }

    /// <summary>
    /// Reads a followed file again from its start as the next partition, after its follow ended: the same file (the handle
    /// open) when it was truncated, the file the path names now when it was rotated. Disposes <paramref name="old"/>.
    /// </summary>
    /// <returns>The file, or <see langword="null"/> when the path names no file now (try again later).</returns>
    public async ValueTask<OpenFile?> RestartAsync(OpenFile old, bool rotated)
    {
        var file = old.FilePath;
        SafeFileHandle handle;
        if (rotated)
        {
            try
            {
                handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }

            await old.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            handle = old.DetachHandle();
            await old.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            var identity = FileIdentity.Of(handle);
            var fingerprintLength = (int)Math.Min(RandomAccess.GetLength(handle), FileIdentity.FingerprintBytes);
            var fingerprint = fingerprintLength > 0 ? FileIdentity.Fingerprint(handle, fingerprintLength) ?? 0 : 0;
            var checkpoint = old.Checkpoint with { Identity = identity, Follow = new FileFollow(handle, file, identity, fingerprintLength, fingerprint, options, NewerFile, stopping) };
            return new OpenFile(CreateReader(handle, file, checkpoint.Name, checkpoint.Follow, out var raw), _partition++, checkpoint, handle, file) { Raw = raw };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Tells a followed file whether a newer file waits: one listed already (at once), or one a new listing found.</summary>
    private (bool Newer, bool AtOnce) NewerFile()
    {
        if (_pending.Count > 0)
        {
            return (true, true);
        }

        var (folder, pattern) = Split(path);
        if (pattern is null)
        {
            return (false, false);
        }

        try
        {
            return (Directory.GetFiles(folder, pattern).Any(f => !System.IO.Path.GetFileName(f).StartsWith('.') && !_seen.Contains(f)), false);
        }
        catch (DirectoryNotFoundException)
        {
            return (false, false);
        }
    }

    /// <summary>Decides where to start in the opened file given its checkpoint: the checkpoint's position, or 0 for another or a truncated file.</summary>
    private long Resume(FileCheckpoint file, SafeFileHandle handle, FileCheckpointIdentity saved)
    {
        var position = saved.Position;
        if (position == 0)
        {
            return 0;
        }

        switch (saved.Check(handle, file.Identity, byteOffset: false))
        {
            case FileCheckpointMatch.AnotherFile:
                source.Notify(FileSourceNoticeKind.Replaced, file.Name, position, 0, $"The checkpoint of '{file.Name}' (position {position}) is of another file ({saved.Identity}) than the one there now ({file.Identity}): the file was rotated or replaced, so it is read from its start. Records the old file had after the checkpoint were not read here.");
                return 0;
            case FileCheckpointMatch.Truncated:
                source.Notify(FileSourceNoticeKind.Truncated, file.Name, position, 0, $"'{file.Name}' is shorter ({RandomAccess.GetLength(handle)} bytes) than when it was checkpointed (position {position}): the file was truncated, so it is read again from its start.");
                return 0;
            case FileCheckpointMatch.Rewritten:
                source.Notify(FileSourceNoticeKind.Replaced, file.Name, position, 0, $"The first {saved.FingerprintLength} bytes of '{file.Name}' are not those checkpointed (position {position}): the file was replaced or rewritten, so it is read from its start.");
                return 0;
            default:
                return position;
        }
    }

    private RecordFileReader CreateReader(SafeFileHandle handle, string file, string name, FileFollow? follow, out FileHandleStream raw)
    {
        // A reader that reads ahead of its records must see the end of the file: it is read on by ReadOnAsync instead.
        raw = new FileHandleStream(handle, follow is { IsFollowing: true } && options.Format.ReadsRecordsAsTheyArrive ? follow : null);
        var reader = options.Format.CreateReader(Decompress(raw, file), name);
        reader.ReadIncompleteLastRecord = options.ReadUnterminatedLastLine && follow is not { IsFollowing: true }; // a followed file's end is not final
        return reader;
    }

    private static InputFileNotFoundException Missing(string file, FileSourceOptions options, string sourceName)
    {
        var shown = Scrub(options, file);
        return new InputFileNotFoundException(shown, $"The input file '{shown}' of the source '{sourceName}' does not exist.");
    }

    /// <summary>Splits an input into the folder listed and the pattern of names read there; no pattern for a single file.</summary>
    internal static (string Folder, string? Pattern) Split(string path)
    {
        if (Directory.Exists(path))
        {
            return (path, "*");
        }

        var name = System.IO.Path.GetFileName(path);
        return name.AsSpan().IndexOfAny('*', '?') >= 0 ? (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } folder ? folder : ".", name) : (path, null);
    }

    private static string Scrub(FileSourceOptions options, string text) => options.Scrub?.Invoke(text) ?? text;

    /// <summary>A short hash of a full path, for checkpoint keys that must not hold the path itself (it may hold a secret).</summary>
    internal static string Hash(string fullPath) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fullPath)).AsSpan(0, 8));

    private Stream Decompress(Stream stream, string name) =>
        options.Compression == FileCompression.Gzip || (options.Compression == FileCompression.Auto && name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            ? new GZipStream(stream, CompressionMode.Decompress)
            : stream;
}
