using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>
/// Reads an Avro Object Container File as generic values (<see cref="DataWeaver.Serialization.Avro.Generic.GenericRecord"/> and
/// friends), one block in memory at a time; with a reader schema, records are resolved to it (Avro schema resolution).
/// </summary>
/// <param name="path">The file.</param>
/// <param name="readerSchema">The schema to read as, or <see langword="null"/> for the file's own.</param>
public sealed class AvroFileSource(string path, AvroSchema? readerSchema) : SourceConnector<object?>(Path.GetFileName(path))
{
    private AvroContainerReader? _reader;

    /// <summary>Reads a file's header: the schema it was written with and its codec.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The writer schema and the codec name (<c>null</c> or <c>deflate</c>).</returns>
    /// <exception cref="DataWeaver.Serialization.DeserializationException">The file is not an Avro container file.</exception>
    public static (AvroSchema Schema, string Codec) ReadHeader(string path)
    {
        using var reader = AvroContainerReader.Open(File.OpenRead(path));
        return (reader.WriterSchema, reader.Codec);
    }

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _reader = AvroContainerReader.Open(File.OpenRead(path), new AvroContainerReaderOptions { ReaderSchema = readerSchema });
        return default;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<object?> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = _reader ?? throw new InvalidOperationException($"Source '{Name}' is not open.");
        foreach (var value in reader.ReadAll())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return value;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _reader?.Dispose();
        _reader = null;
        return default;
    }
}
