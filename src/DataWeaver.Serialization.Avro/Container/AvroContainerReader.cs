using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal;
using DataWeaver.Serialization.Avro.Internal.Reading;
using DataWeaver.Serialization.Avro.Internal.Typed;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Container;

/// <summary>
/// Reads an Avro Object Container File block by block: only one block is in memory at a time, so files of
/// any size stream through. Malformed files raise <see cref="DeserializationException"/> with the byte offset
/// in the file (for a deflate block, the offset of the block plus the offset inside the decompressed data).
/// Not thread-safe.
/// </summary>
public sealed class AvroContainerReader : IDisposable
{
    private readonly Stream _input;
    private readonly AvroContainerReaderOptions _options;
    private readonly byte[] _sync;
    private readonly bool _deflate;
    private readonly int _recordMinSize;
    private long _position;

    /// <summary>The most bytes allocated ahead of the data when reading a length-prefixed part.</summary>
    private const int ReadChunk = 1024 * 1024;

    /// <summary>The most header schemas kept in <see cref="RecentSchemas"/>; the cache is emptied when it is full.</summary>
    private const int MaxRecentSchemas = 64;

    /// <summary>The longest header schema JSON kept in <see cref="RecentSchemas"/>, in characters.</summary>
    private const int MaxRecentSchemaLength = 64 * 1024;

    /// <summary>
    /// Schemas of recently opened files by their exact JSON. Files of one dataset share one schema instance and
    /// so its read plans and typed converters, which are cached per instance: without it every file paid for
    /// parsing, planning and compiling again (about 0.4 ms a file, 2 ms for a typed read, for a 20-field record).
    /// </summary>
    private static readonly ConcurrentDictionary<string, AvroSchema> RecentSchemas = new(StringComparer.Ordinal);

    private AvroContainerReader(Stream input, AvroContainerReaderOptions options)
    {
        _input = input;
        _options = options;
        if (!ReadExact(4, "magic").AsSpan().SequenceEqual(AvroContainerWriter.Magic))
        {
            ThrowHelper.ThrowData(0, "not an Avro object container file (wrong magic bytes)");
        }

        var meta = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long count;
        while ((count = ReadBlockCount()) != 0)
        {
            for (long i = 0; i < count; i++)
            {
                var key = Encoding.UTF8.GetString(ReadExact(ReadLength("metadata key"), "metadata key"));
                meta[key] = ReadExact(ReadLength("metadata value"), "metadata value");
            }
        }

        Metadata = meta;
        _sync = ReadExact(16, "sync marker");
        if (!meta.TryGetValue("avro.schema", out var schemaJson))
        {
            ThrowHelper.ThrowData(_position, "the header has no avro.schema");
        }

        try
        {
            WriterSchema = ParseSchema(Encoding.UTF8.GetString(schemaJson));
        }
        catch (AvroSchemaException ex)
        {
            throw new DeserializationException(ThrowHelper.Format, _position, "the header's avro.schema is invalid: " + ex.Message, ex);
        }

        Codec = meta.TryGetValue("avro.codec", out var codec) ? Encoding.UTF8.GetString(codec) : "null";
        _deflate = Codec switch
        {
            "null" => false,
            "deflate" => true,
            _ => ThrowHelper.ThrowData<bool>(_position, $"unsupported codec '{Codec}' (supported: null, deflate)"),
        };
        ReaderSchema = options.ReaderSchema ?? WriterSchema;
        _recordMinSize = MinSize.Of(WriterSchema);
        SchemaResolutionCheck();
    }

    /// <summary>Gets the schema the file was written with.</summary>
    public AvroSchema WriterSchema { get; }

    /// <summary>Gets the schema records are read as.</summary>
    public AvroSchema ReaderSchema { get; }

    /// <summary>Gets the codec named in the header.</summary>
    public string Codec { get; }

    /// <summary>Gets the header metadata, including <c>avro.schema</c> and <c>avro.codec</c>.</summary>
    public IReadOnlyDictionary<string, byte[]> Metadata { get; }

    /// <summary>Opens a file: reads and validates its header.</summary>
    /// <param name="input">The stream, positioned at the start of the file.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="DeserializationException">The header is malformed.</exception>
    public static AvroContainerReader Open(Stream input, AvroContainerReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new AvroContainerReader(input, options ?? new AvroContainerReaderOptions());
    }

    /// <summary>Reads the records as generic values, one block in memory at a time.</summary>
    /// <returns>The records, lazily.</returns>
    public IEnumerable<object?> ReadAll() => Read<object?>();

    /// <summary>Reads the records mapped to <typeparamref name="T"/> (<see cref="GenericRecord"/>, <see cref="object"/> or a C# type).</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <returns>The records, lazily.</returns>
    /// <exception cref="DeserializationException">A block is malformed, or <typeparamref name="T"/> cannot be mapped to the schema the file names (when no reader schema is given).</exception>
    public IEnumerable<T> Read<T>()
    {
        var plan = ReadPlanBuilder.Get(WriterSchema, ReaderSchema);
        TypedReader<T>? typed = null;
        if (typeof(T) != typeof(object) && typeof(T) != typeof(GenericRecord))
        {
            if (_options.ReaderSchema is null)
            {
                try
                {
                    typed = TypedReaderBuilder.Get<T>(WriterSchema, ReaderSchema);
                }
                catch (AvroSchemaException ex)
                {
                    throw new DeserializationException(ThrowHelper.Format, 0, $"the file's schema cannot be mapped to {typeof(T).Name}: {ex.Problem}", ex);
                }
            }
            else
            {
                typed = TypedReaderBuilder.Get<T>(WriterSchema, ReaderSchema);
            }
        }

        while (TryReadBlock(out var block, out var count, out var blockOffset))
        {
            var position = 0;
            for (long i = 0; i < count; i++)
            {
                if (typed is not null)
                {
                    yield return ReadOne(typed, block, ref position, blockOffset);
                    continue;
                }

                var value = ReadOne(plan, block, ref position, blockOffset);
                yield return AvroDatum.ConvertTo<T>(value, ReaderSchema, blockOffset + position);
            }

            if (position != block.Length)
            {
                ThrowHelper.ThrowData(blockOffset + position, $"{block.Length - position} bytes left over after the block's {count} records");
            }
        }
    }

    /// <summary>
    /// Reads the blocks without decoding their records, for a caller that decodes the binary encoding itself: each
    /// block's records one after the other in <see cref="AvroContainerBlock.Data"/> (decompressed), in the writer schema.
    /// Framing is checked as <see cref="Read{T}"/> checks it (counts, sizes, sync markers); the records are not.
    /// </summary>
    /// <returns>The blocks, lazily; each block's data is valid until the next one is read.</returns>
    /// <exception cref="DeserializationException">A block is malformed or cut short.</exception>
    public IEnumerable<AvroContainerBlock> ReadBlocks()
    {
        while (TryReadBlock(out var block, out var count, out var blockOffset))
        {
            yield return new AvroContainerBlock(block, count, blockOffset);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_options.LeaveOpen)
        {
            _input.Dispose();
        }
    }

    private T ReadOne<T>(TypedReader<T> typed, byte[] block, ref int position, long blockOffset)
    {
        var reader = new AvroReader(block.AsSpan(position), blockOffset + position, _options.MaxDepth);
        var value = typed.Read(ref reader);
        position += reader.Position;
        return value;
    }

    private object? ReadOne(ReadNode plan, byte[] block, ref int position, long blockOffset)
    {
        var reader = new AvroReader(block.AsSpan(position), blockOffset + position, _options.MaxDepth);
        var value = plan.Read(ref reader);
        position += reader.Position;
        return value;
    }

    /// <summary>The writer schema comes from the file: a file the reader schema cannot read is bad data, not bad configuration.</summary>
    private static AvroSchema ParseSchema(string json)
    {
        if (json.Length > MaxRecentSchemaLength)
        {
            return AvroSchema.Parse(json);
        }

        if (RecentSchemas.TryGetValue(json, out var schema))
        {
            return schema;
        }

        schema = AvroSchema.Parse(json);
        if (RecentSchemas.Count >= MaxRecentSchemas)
        {
            RecentSchemas.Clear();
        }

        return RecentSchemas.GetOrAdd(json, schema);
    }

    private void SchemaResolutionCheck()
    {
        try
        {
            ReadPlanBuilder.Get(WriterSchema, ReaderSchema);
        }
        catch (AvroSchemaException ex)
        {
            throw new DeserializationException(ThrowHelper.Format, 0, "the file's schema cannot be read as the reader schema: " + ex.Problem, ex);
        }
    }

    private bool TryReadBlock(out byte[] block, out long count, out long blockOffset)
    {
        block = [];
        blockOffset = _position;
        var first = _input.ReadByte();
        if (first < 0)
        {
            count = 0;
            return false;
        }

        count = ReadLong(first);
        if (count < 0)
        {
            ThrowHelper.ThrowData(blockOffset, $"negative block record count {count}");
        }

        var size = ReadLength("block");
        blockOffset = _position;
        var data = ReadExact(size, "block");
        var sync = ReadExact(16, "sync marker");
        if (!sync.AsSpan().SequenceEqual(_sync))
        {
            ThrowHelper.ThrowData(_position - 16, "sync marker mismatch: the file is corrupt");
        }

        block = _deflate ? Inflate(data, blockOffset) : data;
        if (_recordMinSize > 0 ? count > block.Length / _recordMinSize : count > ArrayNode.MaxZeroSizeItems)
        {
            ThrowHelper.ThrowData(blockOffset, $"block record count {count} is larger than its {block.Length} bytes can hold");
        }

        return true;
    }

    private byte[] Inflate(byte[] data, long offset)
    {
        try
        {
            using var source = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                if (output.Length + n > _options.MaxBlockSize)
                {
                    ThrowHelper.ThrowData(offset, $"decompressed block is larger than the maximum block size of {_options.MaxBlockSize} bytes");
                }

                output.Write(buffer, 0, n);
            }

            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new DeserializationException(ThrowHelper.Format, offset, "corrupt deflate block: " + ex.Message, ex);
        }
    }

    private int ReadLength(string what)
    {
        var start = _position;
        var length = ReadLong(NextByte());
        if (length < 0)
        {
            ThrowHelper.ThrowData(start, $"negative {what} length {length}");
        }

        if (length > _options.MaxBlockSize)
        {
            ThrowHelper.ThrowData(start, $"{what} length {length} is above the maximum block size of {_options.MaxBlockSize} bytes");
        }

        return (int)length;
    }

    private long ReadBlockCount()
    {
        var start = _position;
        var count = ReadLong(NextByte());
        if (count < 0)
        {
            count = -count;
            ReadLong(NextByte());
        }

        if (count > _options.MaxBlockSize)
        {
            ThrowHelper.ThrowData(start, $"metadata count {count} is too large");
        }

        return count;
    }

    private int NextByte()
    {
        var b = _input.ReadByte();
        if (b < 0)
        {
            ThrowHelper.ThrowData(_position, "truncated file: it ends inside a varint");
        }

        return b;
    }

    private long ReadLong(int first)
    {
        var start = _position;
        _position++;
        ulong result = (uint)(first & 0x7f);
        var shift = 7;
        var b = first;
        while ((b & 0x80) != 0)
        {
            if (shift > 63)
            {
                ThrowHelper.ThrowData(start, "malformed varint: longer than 10 bytes");
            }

            b = NextByte();
            _position++;
            result |= (ulong)(b & 0x7f) << shift;
            shift += 7;
        }

        return (long)(result >> 1) ^ -(long)(result & 1);
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes. Memory grows with the bytes that actually arrive, not with
    /// the length the file claims: a corrupt length costs at most <see cref="ReadChunk"/> bytes, not its size.
    /// </summary>
    private byte[] ReadExact(int count, string what)
    {
        var buffer = new byte[Math.Min(count, ReadChunk)];
        var read = 0;
        while (true)
        {
            read += _input.ReadAtLeast(buffer.AsSpan(read), buffer.Length - read, throwOnEndOfStream: false);
            if (read < buffer.Length)
            {
                ThrowHelper.ThrowData(_position + read, $"truncated file: the {what} needs {count} bytes, {read} are left");
            }

            if (read == count)
            {
                break;
            }

            Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, count));
        }

        _position += count;
        return buffer;
    }
}
