using System.Diagnostics.CodeAnalysis;
using DataWeaver.Connectors;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>Writes generic values as an Avro Object Container File (blocks of about 64 KiB, the codec given).</summary>
/// <param name="path">The file to write (replaced).</param>
/// <param name="schema">The schema of the values and of the file.</param>
/// <param name="codec">The block codec.</param>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The pipeline opens and closes the sink once per run (OpenAsync, CloseAsync).")]
public sealed class AvroFileSink(string path, AvroSchema schema, AvroCodec codec) : SinkConnector<object?>(Path.GetFileName(path))
{
    private AvroContainerWriter? _writer;

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _writer = new AvroContainerWriter(new FileStream(path, FileMode.Create, FileAccess.Write), schema, new AvroContainerWriterOptions { Codec = codec });
        return default;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<object?> batch, CancellationToken cancellationToken = default)
    {
        var writer = _writer ?? throw new InvalidOperationException($"Sink '{Name}' is not open.");
        foreach (var value in batch.Span)
        {
            writer.Append(value);
        }

        return default;
    }

    /// <inheritdoc />
    public override ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        _writer?.Flush();
        return default;
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _writer?.Dispose();
        _writer = null;
        return default;
    }
}
