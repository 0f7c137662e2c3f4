using DataWeaver.Buffers;

namespace DataWeaver.Perf.Harness;

/// <summary>
/// How the peers of W3/W4 write their output: into a pooled buffer, handed to a file (<c>/dev/null</c> when timed,
/// a temporary file when verified) in chunks of about 64 KiB, as a sink writes a batch at a time. Not thread-safe.
/// </summary>
internal sealed class ChunkedOutput : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly FileStream _file;

    public ChunkedOutput(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
    }

    /// <summary>Gets the buffer to write records into.</summary>
    public PooledBufferWriter Buffer { get; } = new(ChunkSize * 2);

    /// <summary>Ends a record: writes the buffer out once a chunk is full.</summary>
    public void EndRecord()
    {
        if (Buffer.WrittenCount >= ChunkSize)
        {
            Flush();
        }
    }

    public void Dispose()
    {
        Flush();
        _file.Dispose();
        Buffer.Dispose();
    }

    private void Flush()
    {
        _file.Write(Buffer.WrittenSpan);
        Buffer.Clear();
    }
}
