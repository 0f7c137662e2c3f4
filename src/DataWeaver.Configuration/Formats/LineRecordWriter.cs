using System.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>Encodes a batch into one buffer, a line per record, and writes it to the stream in one call.</summary>
internal sealed class LineRecordWriter(LineRecordFormat format, Stream output) : RecordFileWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        for (var i = 0; i < batch.Length; i++)
        {
            format.EncodeLine(batch.Span[i], _buffer);
            _buffer.GetSpan(1)[0] = (byte)'\n';
            _buffer.Advance(1);
        }

        await output.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
