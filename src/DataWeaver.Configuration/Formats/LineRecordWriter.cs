using System.Buffers;
using System.Runtime.InteropServices;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>Encodes a batch into one buffer, a line per record, and writes it to the stream in one call.</summary>
internal sealed class LineRecordWriter(LineRecordFormat format, Stream output) : RecordFileWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        if (format is JsonLineFormat)
        {
            WriteJsonLines(batch.Span);
        }
        else
        {
            for (var i = 0; i < batch.Length; i++)
            {
                format.EncodeLine(batch.Span[i], _buffer);
                _buffer.GetSpan(1)[0] = (byte)'\n';
                _buffer.Advance(1);
            }
        }

        await output.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The json format writes each record's bytes as they are. Records read from a file lie one after the other in the
    /// read buffer, each followed by its <c>\n</c>: such a run is copied in one move, not a record at a time.
    /// </summary>
    private void WriteJsonLines(ReadOnlySpan<JsonRecord> batch)
    {
        byte[]? run = null;
        int start = 0, end = 0; // the run: run[start..end] holds whole lines but the last one's line end
        foreach (ref readonly var record in batch)
        {
            if (MemoryMarshal.TryGetArray(record.Utf8, out var segment) && segment.Array is { } array && segment.Count > 0)
            {
                if (ReferenceEquals(array, run) && segment.Offset == end + 1 && array[end] == (byte)'\n')
                {
                    end = segment.Offset + segment.Count;
                    continue;
                }

                Flush(run, start, end);
                (run, start, end) = (array, segment.Offset, segment.Offset + segment.Count);
                continue;
            }

            Flush(run, start, end);
            run = null;
            Line(record.Utf8.Span);
        }

        Flush(run, start, end);
    }

    private void Flush(byte[]? run, int start, int end)
    {
        if (run is not null)
        {
            Line(run.AsSpan(start, end - start));
        }
    }

    private void Line(ReadOnlySpan<byte> lines)
    {
        var span = _buffer.GetSpan(lines.Length + 1);
        lines.CopyTo(span);
        span[lines.Length] = (byte)'\n';
        _buffer.Advance(lines.Length + 1);
    }
}
