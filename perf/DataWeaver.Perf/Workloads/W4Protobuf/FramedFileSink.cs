using DataWeaver.Buffers;
using DataWeaver.Connectors;
using DataWeaver.Serialization;

namespace DataWeaver.Perf.Workloads.W4Protobuf;

/// <summary>
/// A user-written sink (docs/connectors.md, "Writing a sink"): encodes a batch with an <see cref="IRecordSerializer{T}"/>
/// into a pooled buffer, then one write to the file. With a length-delimited Protobuf serializer it writes what
/// <c>WriteDelimitedTo</c> writes, record after record.
/// </summary>
internal sealed class FramedFileSink<T>(string path, IRecordSerializer<T> serializer) : SinkConnector<T>("file:" + Path.GetFileName(path))
{
    private FileStream? _file;
    private PooledBufferWriter? _buffer;

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _buffer = new PooledBufferWriter();
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous);
        return default;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        var buffer = _buffer!;
        buffer.Clear();
        foreach (var record in batch.Span)
        {
            serializer.Serialize(record, buffer);
        }

        await _file!.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_file is { } file)
        {
            _file = null;
            await file.DisposeAsync();
            _buffer!.Dispose();
        }
    }
}
