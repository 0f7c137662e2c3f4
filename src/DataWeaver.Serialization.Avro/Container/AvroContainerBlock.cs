namespace DataWeaver.Serialization.Avro.Container;

/// <summary>One block of an object container file, as <see cref="AvroContainerReader.ReadBlocks"/> reads it.</summary>
/// <param name="Data">The block's records in the binary encoding of the writer schema, one after the other (decompressed).</param>
/// <param name="Count">The number of records in the block.</param>
/// <param name="Offset">The byte offset of the block's data in the file (for error messages).</param>
public readonly record struct AvroContainerBlock(ReadOnlyMemory<byte> Data, long Count, long Offset);
