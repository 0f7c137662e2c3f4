using System.Buffers;
using System.Globalization;
using System.Text.Json;
using DataWeaver.Configuration.Formats;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Avro;

/// <summary>
/// Avro object container files: the schema in the header, records in blocks (null or deflate codec). Positions are
/// record numbers: a checkpointed file resumes by skipping the records already read. A record that does not map to
/// JSON is reported with its number; a corrupt block is reported once and ends the file's reading (the rest of the
/// file cannot be framed).
/// </summary>
/// <param name="options">The format's options.</param>
public sealed class AvroFileFormat(AvroFormatOptions options) : RecordFileFormat
{
    /// <summary>Gets the format's options.</summary>
    public AvroFormatOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public override string Name => "avro";

    /// <inheritdoc />
    /// <value><see langword="false"/>: an object container file starts with a header naming its schema and sync marker.</value>
    public override bool CanAppend => false;

    /// <inheritdoc />
    /// <value>
    /// <see langword="false"/>: the container reader reads synchronously, so it cannot wait for a block still being
    /// written; a followed file is read again up to the last position each time it grows.
    /// </value>
    public override bool ReadsRecordsAsTheyArrive => false;

    /// <inheritdoc />
    public override RecordFileReader CreateReader(Stream input, string fileName) => new Reader(this, input, fileName);

    /// <inheritdoc />
    public override RecordFileWriter CreateWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var schema = Options.Schema ?? throw new InvalidOperationException("Writing Avro files needs the format's schema (schema or schemaFile).");
        if (output.CanSeek && output.Position > 0)
        {
            throw new NotSupportedException("An Avro container file cannot be appended to: write a new file (append: false).");
        }

        return new Writer(new AvroContainerWriter(output, schema, new AvroContainerWriterOptions { Codec = Options.Codec, LeaveOpen = true }), schema);
    }

    /// <summary>
    /// Reads the records block by block. A header or block cut short by the end of the file (a file still being written)
    /// is left unread, with <see cref="RecordFileReader.IncompleteTailBytes"/> set, unless
    /// <see cref="RecordFileReader.ReadIncompleteLastRecord"/> is set: then it is reported as corrupt.
    /// </summary>
    private sealed class Reader(AvroFileFormat format, Stream input, string fileName) : RecordFileReader
    {
        private readonly CountingStream _input = new(input);
        private AvroContainerReader? _reader;
        private IEnumerator<object?>? _records;
        private AvroFlatRecordCodec? _flat;
        private FlatBlocks? _blocks;
        private AvroDatumLayout? _layout;
        private RecordWithOriginal? _buffer;
        private long _index;
        private long _consumed; // bytes read up to the end of the last block whose records were read
        private bool _broken;

        public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_broken)
            {
                return new(false);
            }

            if (_reader is null && !Open())
            {
                return new(false);
            }

            var index = _index++;
            if (_blocks is not null)
            {
                return new(MoveNextFlat(index));
            }

            object? value;
            try
            {
                if (!_records!.MoveNext())
                {
                    return new(false);
                }

                value = _records.Current;
                _consumed = _input.BytesRead;
            }
            catch (DataWeaverException exception)
            {
                _broken = true;
                if (_input.ReachedEnd && !ReadIncompleteLastRecord)
                {
                    return new(Incomplete(index));
                }

                Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{Where(index)}: {exception.Message} (the rest of the file cannot be read)", exception), index, index + 1, default);
                return new(true);
            }

            try
            {
                var record = AvroJsonRecords.ToRecord(_reader!.ReaderSchema, value);
                Current = RecordFileItem.Ok(record, index, index + 1, record.Utf8.Length);
            }
            catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
            {
                Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{Where(index)}: {exception.Message}", exception), index, index + 1, default);
            }

            return new(true);
        }

        public override ValueTask DisposeAsync()
        {
            ReleaseBuffer();
            _records?.Dispose();
            _blocks?.Dispose();
            if (_reader is not null)
            {
                _reader.Dispose();
            }
            else
            {
                _input.Dispose();
            }

            return base.DisposeAsync();
        }

        protected override string Describe() => fileName;

        /// <summary>Reads the header; <see langword="false"/> when the file ends inside it (it is still being written).</summary>
        private bool Open()
        {
            try
            {
                _reader = AvroContainerReader.Open(_input, new AvroContainerReaderOptions { ReaderSchema = format.Options.Schema });
            }
            catch (DeserializationException exception)
            {
                if (_input.ReachedEnd && !ReadIncompleteLastRecord)
                {
                    _broken = true;
                    return Incomplete(0);
                }

                throw new DataWeaverException(ErrorClass.Fatal, $"{fileName} is not an Avro container file: {exception.Message}", exception);
            }

            // A file in the format's own schema (or read without one) whose records are flat takes the direct decoder.
            if ((ReferenceEquals(_reader.ReaderSchema, _reader.WriterSchema) || _reader.ReaderSchema.ToJson() == _reader.WriterSchema.ToJson())
                && AvroFlatRecordCodec.TryCreate(_reader.WriterSchema) is { } flat)
            {
                _flat = flat;
                _blocks = new FlatBlocks(_reader.ReadBlocks().GetEnumerator());
                _layout = AvroDatumLayout.TryCreate(_reader.WriterSchema);
            }
            else
            {
                _records = _reader.Read<object?>().GetEnumerator();
            }

            return true;
        }

        /// <summary>The next record through <see cref="AvroFlatRecordCodec"/>: the same records, errors and positions as the general path.</summary>
        private bool MoveNextFlat(long index)
        {
            var blocks = _blocks!;
            try
            {
                if (!blocks.TryNext(out var reader))
                {
                    return false;
                }

                _consumed = _input.BytesRead;
                if (TryDecodeIntoBuffer(ref reader, blocks.Remaining) is { } direct)
                {
                    blocks.EndRecord(reader.Position);
                    Current = RecordFileItem.Ok(direct, index, index + 1, direct.Utf8.Length, _buffer!.Payload);
                    return true;
                }

                _flat!.Decode(ref reader, blocks.StartRecord());
                blocks.EndRecord(reader.Position);
            }
            catch (DataWeaverException exception)
            {
                _broken = true;
                if (_input.ReachedEnd && !ReadIncompleteLastRecord)
                {
                    return Incomplete(index);
                }

                Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{Where(index)}: {exception.Message} (the rest of the file cannot be read)", exception), index, index + 1, default);
                return true;
            }

            try
            {
                // Utf8JsonWriter has just written the object from names and decoded values: valid UTF-8, two levels deep.
                // The record keeps its datum: a sink writing the same schema copies it (AvroDatumLayout).
                var json = blocks.Json.WrittenSpan;
                JsonRecord record;
                Buffers.PayloadBuffer? payload = null;
                if (json.Length <= JsonRecordOptions.Default.MaxRecordBytes && _layout is not null)
                {
                    var datum = blocks.LastDatum;
                    Span<byte> jsonTo, datumTo;
                    while (_buffer is null || !_buffer.TryAdd(json.Length, datum.Length, out jsonTo, out datumTo, out record))
                    {
                        ReleaseBuffer();
                        _buffer = RecordWithOriginal.Rent(_layout, Math.Max(64 * 1024, RecordWithOriginal.RoomFor(json.Length, datum.Length)));
                    }

                    json.CopyTo(jsonTo);
                    datum.CopyTo(datumTo);
                    payload = _buffer.Payload;
                }
                else
                {
                    var bytes = json.ToArray();
                    record = bytes.Length <= JsonRecordOptions.Default.MaxRecordBytes ? JsonRecord.CreateUnchecked(bytes) : JsonRecord.Parse(bytes);
                }

                Current = RecordFileItem.Ok(record, index, index + 1, record.Utf8.Length, payload);
            }
            catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
            {
                Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{Where(index)}: {exception.Message}", exception), index, index + 1, default);
            }

            return true;
        }

        /// <summary>
        /// The record at the reader decoded straight into the pooled buffer after its JSON, followed by its datum
        /// (<see cref="AvroFlatRecordCodec.TryDecodeDirect"/>); <see langword="null"/>, with the reader where it was, when
        /// the codec cannot write it directly or the buffer is full (the writer's path then decodes it).
        /// </summary>
        private JsonRecord? TryDecodeIntoBuffer(ref AvroReader reader, ReadOnlySpan<byte> datums)
        {
            if (_layout is null || _buffer is null)
            {
                return null;
            }

            var start = reader;
            var room = _buffer.Room;
            if (!_flat!.TryDecodeDirect(ref reader, room, out var jsonLength)
                || jsonLength > JsonRecordOptions.Default.MaxRecordBytes
                || room.Length - jsonLength < reader.Position)
            {
                reader = start;
                return null;
            }

            datums[..reader.Position].CopyTo(room[jsonLength..]);
            return _buffer.Add(jsonLength, reader.Position);
        }

        /// <summary>Drops the reader's reference to the buffer records with their datums are cut from.</summary>
        private void ReleaseBuffer()
        {
            ((IDisposable?)_buffer)?.Dispose();
            _buffer = null;
        }

        private bool Incomplete(long index)
        {
            IncompleteTailPosition = index;
            IncompleteTailBytes = Math.Max(1, _input.BytesRead - _consumed);
            return false;
        }

        private string Where(long index) => string.Create(CultureInfo.InvariantCulture, $"{fileName} record {index + 1}");
    }

    /// <summary>The records of a file's blocks one by one, and the JSON writer each record is decoded into.</summary>
    private sealed class FlatBlocks(IEnumerator<AvroContainerBlock> blocks) : IDisposable
    {
        // AvroFlatRecordCodec writes one well-formed object per record: the writer need not check the structure.
        private readonly Utf8JsonWriter _writer = new(Stream.Null, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        private AvroContainerBlock _block;
        private long _left;
        private int _position;
        private bool _started;
        private int _lastLength;

        public ArrayBufferWriter<byte> Json { get; } = new(256);

        /// <summary>Gets the bytes of the current block from the next record on.</summary>
        public ReadOnlySpan<byte> Remaining => _block.Data.Span[_position..];

        /// <summary>Gets the bytes of the record <see cref="EndRecord"/> ended last.</summary>
        public ReadOnlySpan<byte> LastDatum => _block.Data.Span.Slice(_position - _lastLength, _lastLength);

        /// <summary>A reader at the next record; <see langword="false"/> at the end of the file.</summary>
        /// <exception cref="DeserializationException">A block is malformed, or has bytes left over after its records.</exception>
        public bool TryNext(out AvroReader reader)
        {
            while (_left == 0)
            {
                if (_started && _position != _block.Data.Length)
                {
                    throw new DeserializationException("avro", _block.Offset + _position, string.Create(CultureInfo.InvariantCulture, $"{_block.Data.Length - _position} bytes left over after the block's {_block.Count} records"));
                }

                if (!blocks.MoveNext())
                {
                    reader = default;
                    return false;
                }

                (_block, _left, _position, _started) = (blocks.Current, blocks.Current.Count, 0, true);
            }

            reader = new AvroReader(_block.Data.Span[_position..], _block.Offset + _position);
            return true;
        }

        public Utf8JsonWriter StartRecord()
        {
            Json.ResetWrittenCount();
            _writer.Reset(Json);
            return _writer;
        }

        public void EndRecord(int length)
        {
            _writer.Flush();
            _position += length;
            _lastLength = length;
            _left--;
        }

        public void Dispose()
        {
            blocks.Dispose();
            _writer.Dispose();
        }
    }

    /// <summary>Counts the bytes read and tells whether a read found the end of the stream.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public bool ReachedEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            BytesRead += n;
            ReachedEnd |= n == 0 && buffer.Length > 0;
            return n;
        }

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 0 ? -1 : one[0];
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Writer(AvroContainerWriter writer, Serialization.Avro.Schema.AvroSchema schema) : RecordFileWriter
    {
        private readonly AvroFlatRecordCodec? _flat = AvroFlatRecordCodec.TryCreate(schema);
        private readonly ArrayBufferWriter<byte> _data = new(64 * 1024);
        private readonly ArrayBufferWriter<byte> _datum = new(256);
        private readonly AvroDatumLayout? _layout = AvroDatumLayout.TryCreate(schema);
        private int[] _ends = new int[1024];

        public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken)
        {
            // Encode every record first: a record that does not fit fails the batch before anything is appended, so the
            // engine's one-by-one retry of the batch writes each good record once.
            _data.ResetWrittenCount();
            if (_ends.Length < batch.Length)
            {
                _ends = new int[batch.Length];
            }

            for (var i = 0; i < batch.Length; i++)
            {
                _datum.ResetWrittenCount();
                if (_layout is not null && RecordWithOriginal.TryGetOriginal(batch.Span[i], _layout, out var original))
                {
                    _data.Write(original);
                }
                else if (_flat is not null && _flat.TryEncode(batch.Span[i].Utf8.Span, _datum))
                {
                    _data.Write(_datum.WrittenSpan);
                }
                else
                {
                    AvroDatum.Write(_data, schema, AvroJsonRecords.ToValue(schema, batch.Span[i]));
                }

                _ends[i] = _data.WrittenCount;
            }

            var data = _data.WrittenSpan;
            for (int i = 0, start = 0; i < batch.Length; start = _ends[i++])
            {
                writer.AppendDatum(data[start.._ends[i]]);
            }

            writer.Flush();
            return default;
        }

        public override ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            writer.Flush();
            return default;
        }

        public override ValueTask DisposeAsync()
        {
            writer.Dispose();
            return base.DisposeAsync();
        }
    }
}
