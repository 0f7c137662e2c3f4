using System.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Where the definition-file path writes the records it makes (the generator's records, a field transform's output):
/// one after another into shared 64 KiB arrays, each record handed out as a slice of its array. One allocation per
/// ~600 records of 100 bytes instead of an array per record, and no copy out of a scratch buffer. An array stays
/// alive as long as any record cut from it (at most one chunk per record held past its batch, e.g. in a dead letter).
/// One per thread (<see cref="ForThisThread"/>): not thread-safe; the records it hands out are immutable.
/// </summary>
internal sealed class RecordChunkWriter : IBufferWriter<byte>
{
    private const int ChunkBytes = 64 * 1024;

    [ThreadStatic]
    private static RecordChunkWriter? t_writer;

    private byte[] _chunk = new byte[ChunkBytes];
    private int _start; // where the record being written starts
    private int _end;   // how far it was written

    /// <summary>Gets this thread's writer, ready for a new record (anything written and not taken is forgotten).</summary>
    public static RecordChunkWriter ForThisThread
    {
        get
        {
            var writer = t_writer ??= new RecordChunkWriter();
            writer._end = writer._start; // a record abandoned by an exception leaves nothing behind
            return writer;
        }
    }

    /// <summary>Hands out what was written since <see cref="ForThisThread"/> as a record, without checking it.</summary>
    /// <returns>The record; its bytes are a slice of a shared array that is never written again.</returns>
    public JsonRecord TakeUnchecked()
    {
        var record = JsonRecord.CreateUnchecked(new ReadOnlyMemory<byte>(_chunk, _start, _end - _start));
        _start = _end;
        return record;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _chunk.Length - _end);
        _end += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _chunk.AsMemory(_end);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _chunk.AsSpan(_end);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_chunk.Length - _end >= needed)
        {
            return;
        }

        // A new array; the record written so far moves with it, the records already taken stay where they are.
        var pending = _end - _start;
        var next = new byte[Math.Max(ChunkBytes, (pending + needed) * 2)];
        _chunk.AsSpan(_start, pending).CopyTo(next);
        _chunk = next;
        _start = 0;
        _end = pending;
    }
}
