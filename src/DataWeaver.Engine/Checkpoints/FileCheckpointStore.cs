using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Records;

namespace DataWeaver.Checkpoints;

/// <summary>
/// Keeps each key's checkpoint in one small JSON file in a folder, replaced atomically: the new checkpoint is
/// written to a temporary file, flushed to the disk, then renamed over the old one, so a crash at any point
/// leaves the old checkpoint or the new one, never a torn file.
/// </summary>
/// <remarks>
/// The file of a key is <see cref="GetPath"/>: the key with characters unsafe in file names replaced, and a
/// hash of the whole key so that different keys never share a file. A missing file means "no checkpoint";
/// a file that cannot be read raises <see cref="CheckpointException"/> naming it. One run at a time may use a key:
/// <see cref="Lock"/> takes a <see cref="FileLock"/> on <c>&lt;checkpoint file&gt;.lock</c>, which a pipeline run holds
/// while its source is open; a second run fails at once with a <see cref="FileLockedException"/> naming the holder.
/// </remarks>
public sealed class FileCheckpointStore : ICheckpointStore
{
    private const int Version = 1;
    private const int MaxReadableBytes = 1024 * 1024;
    private bool _directoryExists;

    /// <summary>Creates the store; the folder is created when the first checkpoint is saved.</summary>
    /// <param name="directory">The folder holding the checkpoint files.</param>
    /// <param name="options">Durability and clock; <see langword="null"/> uses the defaults.</param>
    public FileCheckpointStore(string directory, FileCheckpointStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        Options = options ?? new FileCheckpointStoreOptions();
    }

    /// <summary>Gets the folder holding the checkpoint files, as a full path.</summary>
    public string Directory { get; }

    /// <summary>Gets the store's options.</summary>
    public FileCheckpointStoreOptions Options { get; }

    /// <summary>Gets the file that holds the checkpoint of <paramref name="key"/>.</summary>
    /// <param name="key">The checkpoint key.</param>
    /// <returns>The full path of the file (which may not exist yet).</returns>
    public string GetPath(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var safe = new StringBuilder(Math.Min(key.Length, 80));
        foreach (var c in key)
        {
            if (safe.Length == 80)
            {
                break;
            }

            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
        return Path.Combine(Directory, $"{safe.ToString().Trim('.')}-{hash}.checkpoint.json");
    }

    /// <summary>Takes the exclusive lock on <paramref name="key"/>'s checkpoint (creating the folder when missing).</summary>
    /// <param name="key">The checkpoint key.</param>
    /// <returns>The lock; dispose it to release.</returns>
    /// <exception cref="FileLockedException">Another run, in this process or another, holds the key.</exception>
    public IDisposable Lock(string key)
    {
        var path = GetPath(key);
        return FileLock.Acquire(path[..^".json".Length] + ".lock", $"checkpoint '{path}'", Options.TimeProvider);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(path, key, bytes);
    }

    /// <inheritdoc />
    /// <remarks>The save is synchronous (a small write, an optional fsync and a rename); the task is complete when it returns.</remarks>
    public ValueTask SaveAsync(string key, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        cancellationToken.ThrowIfCancellationRequested();
        var path = GetPath(key);
        var content = Serialize(key, positions, Options.TimeProvider.GetUtcNow());
        if (!Volatile.Read(ref _directoryExists))
        {
            System.IO.Directory.CreateDirectory(Directory);
            Volatile.Write(ref _directoryExists, true);
        }

        // A few hundred bytes: written synchronously, which costs less than a round trip through async file I/O.
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(content.Span);
            if (Options.FlushToDisk)
            {
                file.Flush(flushToDisk: true);
            }
        }

        // rename(2): atomic on POSIX file systems and NTFS; readers see the old file or the new one.
        File.Move(temporary, path, overwrite: true);
        return default;
    }

    /// <summary>Gets the file that holds the state saved under <paramref name="key"/> (<see cref="SaveStateAsync"/>).</summary>
    /// <param name="key">The state key.</param>
    /// <returns>The full path of the file (which may not exist yet): <see cref="GetPath"/> ending in <c>.state</c>.</returns>
    public string GetStatePath(string key) => GetPath(key)[..^".json".Length] + ".state";

    /// <inheritdoc />
    public async ValueTask<byte[]?> LoadStateAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(GetStatePath(key), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>Written like a checkpoint: to a temporary file, flushed to the disk (<see cref="FileCheckpointStoreOptions.FlushToDisk"/>), renamed over the old one.</remarks>
    public async ValueTask SaveStateAsync(string key, ReadOnlyMemory<byte> state, CancellationToken cancellationToken = default)
    {
        var path = GetStatePath(key);
        if (!Volatile.Read(ref _directoryExists))
        {
            System.IO.Directory.CreateDirectory(Directory);
            Volatile.Write(ref _directoryExists, true);
        }

        var temporary = path + ".tmp";
        var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(state, cancellationToken).ConfigureAwait(false);
            if (Options.FlushToDisk)
            {
                file.Flush(flushToDisk: true);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static ReadOnlyMemory<byte> Serialize(string key, IReadOnlyList<SourcePosition> positions, DateTimeOffset savedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteString("key", key);
            writer.WriteString("savedAt", savedAt);
            writer.WriteStartArray("positions");
            foreach (var position in positions)
            {
                writer.WriteStartObject();
                writer.WriteNumber("partition", position.Partition);
                writer.WriteNumber("offset", position.Offset);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    private static SourcePosition[] Parse(string path, string key, byte[] bytes)
    {
        if (bytes.Length > MaxReadableBytes)
        {
            throw Corrupt(path, $"it is {bytes.Length} bytes long, far more than a checkpoint", null);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(path, "it is not a JSON object", null);
            }

            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version)
            {
                throw Corrupt(path, $"its \"version\" is missing or not {Version}", null);
            }

            if (!root.TryGetProperty("key", out var storedKey) || storedKey.ValueKind != JsonValueKind.String || storedKey.GetString() != key)
            {
                throw Corrupt(path, $"its \"key\" is not '{key}'", null);
            }

            if (!root.TryGetProperty("positions", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw Corrupt(path, "it has no \"positions\" array", null);
            }

            var positions = new SourcePosition[list.GetArrayLength()];
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("partition", out var partition) || !partition.TryGetInt32(out var p)
                    || !item.TryGetProperty("offset", out var offset) || !offset.TryGetInt64(out var o) || o < 0)
                {
                    throw Corrupt(path, $"position {i} is not {{\"partition\": int, \"offset\": non-negative long}}", null);
                }

                positions[i++] = new SourcePosition(p, o);
            }

            return positions;
        }
        catch (JsonException exception)
        {
            throw Corrupt(path, "it is not valid JSON", exception);
        }
        catch (FormatException exception)
        {
            throw Corrupt(path, "a value has the wrong format", exception);
        }
    }

    private static CheckpointException Corrupt(string path, string reason, Exception? inner) =>
        new(path, $"Checkpoint file '{path}' is corrupt: {reason}. Restore it, or delete it to start from the configured start position.", inner);
}
