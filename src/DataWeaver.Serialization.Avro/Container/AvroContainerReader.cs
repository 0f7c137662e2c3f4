using System.IO.Compression;
using System.Text;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal;
using DataWeaver.Serialization.Avro.Internal.Reading;
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
    private long _position;

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
            WriterSchema = AvroSchema.Parse(Encoding.UTF8.GetString(schemaJson));
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
    public IEnumerable<T> Read<T>()
    {
        var plan = ReadPlanBuilder.Get(WriterSchema, ReaderSchema);
        while (TryReadBlock(out var block, out var count, out var blockOffset))
        {
            var position = 0;
            for (long i = 0; i < count; i++)
            {
                var value = ReadOne(plan, block, ref position, blockOffset);
                yield return AvroDatum.ConvertTo<T>(value, ReaderSchema, blockOffset + position);
            }

            if (position != block.Length)
            {
                ThrowHelper.ThrowData(blockOffset + position, $"{block.Length - position} bytes left over after the block's {count} records");
            }
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

    private object? ReadOne(ReadNode plan, byte[] block, ref int position, long blockOffset)
    {
        var reader = new AvroReader(block.AsSpan(position), blockOffset + position, _options.MaxDepth);
        var value = plan.Read(ref reader);
        position += reader.Position;
        return value;
    }

    private void SchemaResolutionCheck() => ReadPlanBuilder.Get(WriterSchema, ReaderSchema);

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
        if (count > 0 && count > block.Length && MinSize.Of(WriterSchema) > 0)
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

    private byte[] ReadExact(int count, string what)
    {
        var buffer = new byte[count];
        var read = _input.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count)
        {
            ThrowHelper.ThrowData(_position + read, $"truncated file: the {what} needs {count} bytes, {read} are left");
        }

        _position += count;
        return buffer;
    }
}
