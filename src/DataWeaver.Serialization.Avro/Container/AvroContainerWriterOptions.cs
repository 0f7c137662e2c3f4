using System.IO.Compression;

namespace DataWeaver.Serialization.Avro.Container;

/// <summary>Options of an <see cref="AvroContainerWriter"/>; copied when the writer is created.</summary>
public sealed class AvroContainerWriterOptions
{
    /// <summary>Gets the block codec.</summary>
    /// <value>The default is <see cref="AvroCodec.Null"/>.</value>
    public AvroCodec Codec { get; init; } = AvroCodec.Null;

    /// <summary>Gets the deflate compression level.</summary>
    /// <value>The default is <see cref="CompressionLevel.Optimal"/>.</value>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Optimal;

    /// <summary>Gets the uncompressed size at which a block is closed and written.</summary>
    /// <value>The default is 65,536 bytes; the range is 1 to 1 GiB.</value>
    public int BlockSize { get; init; } = 64 * 1024;

    /// <summary>Gets the 16-byte sync marker, or <see langword="null"/> for a random one (the usual choice; set it for reproducible files).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ReadOnlyMemory<byte>? SyncMarker { get; init; }

    /// <summary>Gets extra metadata to store in the header; keys starting with <c>avro.</c> are reserved.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyDictionary<string, byte[]>? Metadata { get; init; }

    /// <summary>Gets a value indicating whether disposing the writer leaves the stream open.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool LeaveOpen { get; init; }
}
