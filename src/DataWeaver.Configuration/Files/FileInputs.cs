using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace DataWeaver.Configuration.Files;

/// <summary>Lists the files of a <see cref="FileSource"/> in name order (again once they are done, for new ones) and opens each at its checkpoint.</summary>
internal sealed class FileInputs(string path, FileSourceOptions options)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _pending = new();
    private int _partition;
    private bool _listed;

    /// <summary>Fails when a single input file or the folder of a pattern does not exist.</summary>
    public static void Check(string path, FileSourceOptions options)
    {
        if (path == "-")
        {
            return;
        }

        var (folder, pattern) = Split(path);
        if (pattern is null && !File.Exists(path))
        {
            throw FileInputErrors.Missing($"file '{Scrub(options, System.IO.Path.GetFileName(path))}'");
        }

        if (pattern is not null && !Directory.Exists(folder))
        {
            throw FileInputErrors.Missing($"folder '{Scrub(options, folder)}'");
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
            return new OpenFile(options.Format.CreateReader(Decompress(stdin, "-"), "stdin"), _partition++, "stdin");
        }

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
        var name = Scrub(options, System.IO.Path.GetFileName(next));
        var key = options.CheckpointKeyPrefix + Hash(System.IO.Path.GetFullPath(next)) + ":" + name;
        long resume = 0;
        if (options.CheckpointStore is { } store)
        {
            var positions = await store.LoadAsync(key, cancellationToken).ConfigureAwait(false);
            resume = positions?.FirstOrDefault(p => p.Partition == 0).Offset ?? 0;
        }

        var stream = new FileStream(next, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var reader = options.Format.CreateReader(Decompress(stream, next), name);
        try
        {
            await reader.SkipToAsync(resume, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new OpenFile(reader, _partition++, key);
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
