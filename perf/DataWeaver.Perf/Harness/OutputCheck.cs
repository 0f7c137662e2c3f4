namespace DataWeaver.Perf.Harness;

/// <summary>
/// Verifies a peer's output file against the reference (raw-loop's): same length and the same 64-bit FNV-1a hash,
/// so a peer that drops, reorders or changes a byte fails the run instead of winning it.
/// </summary>
internal sealed class OutputCheck : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dataweaver-perf-").FullName;
    private (long Length, ulong Hash)? _reference;

    /// <summary>Where timed runs write: nothing is kept, but every byte goes through a write call.</summary>
    public const string Discard = "/dev/null";

    /// <summary>Gets a fresh file path for a verified run.</summary>
    public string NewPath(string peer) => Path.Combine(_directory, peer + ".out");

    /// <summary>Checks the file (the first call sets the reference) and deletes it.</summary>
    public void Verify(string peer, string path)
    {
        var actual = Hash(path);
        File.Delete(path);
        _reference ??= actual;
        if (actual != _reference)
        {
            throw new InvalidOperationException($"Verification failed: {peer} wrote {actual.Length} bytes (hash {actual.Hash:x16}), the reference {_reference.Value.Length} bytes (hash {_reference.Value.Hash:x16}).");
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static (long Length, ulong Hash) Hash(string path)
    {
        const ulong Prime = 1099511628211UL;
        var hash = 14695981039346656037UL;
        var buffer = new byte[1 << 16];
        long length = 0;
        using var file = File.OpenRead(path);
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                hash = (hash ^ b) * Prime;
            }

            length += read;
        }

        return (length, hash);
    }
}
