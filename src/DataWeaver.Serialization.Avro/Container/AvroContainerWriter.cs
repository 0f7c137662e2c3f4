using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Internal.Writing;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Container;

/// <summary>
/// Writes an Avro Object Container File: the header (magic, <c>avro.schema</c>, <c>avro.codec</c>, sync
/// marker) and then blocks of records, each followed by the sync marker. Records are buffered until a block
/// reaches <see cref="AvroContainerWriterOptions.BlockSize"/>; <see cref="Dispose"/> writes the last block.
/// Not thread-safe.
/// </summary>
public sealed class AvroContainerWriter : IDisposable
{
    internal static readonly byte[] Magic = [(byte)'O', (byte)'b', (byte)'j', 1];

    private readonly Stream _output;
    private readonly AvroSchema _schema;
    private readonly AvroContainerWriterOptions _options;
    private readonly byte[] _sync;
    private readonly ArrayBufferWriter<byte> _block = new();
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private long _count;
    private bool _disposed;

    /// <summary>Creates a writer and writes the file header.</summary>
    /// <param name="output">The stream to write to.</param>
    /// <param name="schema">The schema of every record.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public AvroContainerWriter(Stream output, AvroSchema schema, AvroContainerWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _output = output;
        _schema = schema;
        _options = options ?? new AvroContainerWriterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BlockSize, 1, nameof(options));
        if (_options.SyncMarker is { } marker)
        {
            if (marker.Length != 16)
            {
                throw new ArgumentException("The sync marker must be 16 bytes.", nameof(options));
            }

            _sync = marker.ToArray();
        }
        else
        {
            _sync = RandomNumberGenerator.GetBytes(16);
        }

        WriteHeader();
    }

    /// <summary>Appends a record (a generic value or a C# object matching the schema).</summary>
    /// <param name="value">The record.</param>
    /// <exception cref="AvroEncodingException">The value does not match the schema; nothing is appended.</exception>
    public void Append(object? value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var before = _block.WrittenCount;
        var writer = new AvroWriter(_block);
        try
        {
            ValueWriter.Write(ref writer, _schema, value);
            writer.Flush();
        }
        catch (AvroEncodingException)
        {
            // Drop the partial record: copy the complete records back.
            var keep = _block.WrittenSpan[..before].ToArray();
            _block.ResetWrittenCount();
            _block.Write(keep);
            throw;
        }

        _count++;
        if (_block.WrittenCount >= _options.BlockSize)
        {
            Flush();
        }
    }

    /// <summary>
    /// Appends a record already in the binary encoding of the file's schema (as <see cref="Generic.AvroDatum"/> writes
    /// it), for a caller that encodes records itself. The bytes are not checked: a datum that is not one record of the
    /// schema makes the file unreadable from its block on.
    /// </summary>
    /// <param name="datum">The record's bytes.</param>
    public void AppendDatum(ReadOnlySpan<byte> datum)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _block.Write(datum);
        _count++;
        if (_block.WrittenCount >= _options.BlockSize)
        {
            Flush();
        }
    }

    /// <summary>Writes the buffered records as a block, if there are any, and flushes the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count > 0)
        {
            ReadOnlySpan<byte> data = _block.WrittenSpan;
            byte[]? compressed = null;
            if (_options.Codec == AvroCodec.Deflate)
            {
                using var buffer = new MemoryStream();
                using (var deflate = new DeflateStream(buffer, _options.CompressionLevel, leaveOpen: true))
                {
                    deflate.Write(data);
                }

                compressed = buffer.ToArray();
                data = compressed;
            }

            _scratch.ResetWrittenCount();
            var w = new AvroWriter(_scratch);
            w.WriteLong(_count);
            w.WriteLong(data.Length);
            w.Flush();
            _output.Write(_scratch.WrittenSpan);
            _output.Write(data);
            _output.Write(_sync);
            _block.ResetWrittenCount();
            _count = 0;
        }

        _output.Flush();
    }

    /// <summary>Writes the last block and closes the stream unless <see cref="AvroContainerWriterOptions.LeaveOpen"/> is set.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Flush();
        _disposed = true;
        if (!_options.LeaveOpen)
        {
            _output.Dispose();
        }
    }

    private void WriteHeader()
    {
        var meta = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (_options.Metadata is { } extra)
        {
            foreach (var (k, v) in extra)
            {
                if (k.StartsWith("avro.", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Metadata key '{k}' is reserved.", nameof(_options));
                }

                meta[k] = v;
            }
        }

        meta["avro.schema"] = Encoding.UTF8.GetBytes(_schema.ToJson());
        meta["avro.codec"] = Encoding.UTF8.GetBytes(_options.Codec == AvroCodec.Deflate ? "deflate" : "null");
        _scratch.ResetWrittenCount();
        _scratch.Write(Magic);
        var w = new AvroWriter(_scratch);
        w.WriteBlockCount(meta.Count);
        foreach (var (k, v) in meta)
        {
            w.WriteString(k);
            w.WriteBytes(v);
        }

        w.WriteBlockCount(0);
        w.WriteFixed(_sync);
        w.Flush();
        _output.Write(_scratch.WrittenSpan);
    }
}
