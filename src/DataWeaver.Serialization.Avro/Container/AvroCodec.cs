namespace DataWeaver.Serialization.Avro.Container;

/// <summary>The block compression codecs of object container files supported here.</summary>
public enum AvroCodec
{
    /// <summary><c>null</c>: blocks are not compressed.</summary>
    Null,

    /// <summary><c>deflate</c>: blocks are compressed with raw deflate (RFC 1951, no zlib header).</summary>
    Deflate,
}
