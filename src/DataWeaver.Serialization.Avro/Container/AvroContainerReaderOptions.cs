using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Container;

/// <summary>Options of an <see cref="AvroContainerReader"/>.</summary>
public sealed class AvroContainerReaderOptions
{
    /// <summary>Gets the schema to read records as, resolved against the file's writer schema; <see langword="null"/> reads as the writer schema.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public AvroSchema? ReaderSchema { get; init; }

    /// <summary>Gets the largest block accepted, compressed or decompressed; a bigger block is a <see cref="DeserializationException"/>.</summary>
    /// <value>The default is 64 MiB; the range is 1 byte to 2 GiB.</value>
    public int MaxBlockSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>Gets the deepest nesting of records, arrays and maps accepted.</summary>
    /// <value>The default is 64.</value>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Gets a value indicating whether disposing the reader leaves the stream open.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool LeaveOpen { get; init; }
}
