using System.Globalization;
using DataWeaver.Configuration.Formats;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Avro.Container;
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

    private sealed class Reader : RecordFileReader
    {
        private readonly string _fileName;
        private readonly AvroContainerReader _reader;
        private readonly IEnumerator<object?> _records;
        private long _index;
        private bool _broken;

        public Reader(AvroFileFormat format, Stream input, string fileName)
        {
            _fileName = fileName;
            try
            {
                _reader = AvroContainerReader.Open(input, new AvroContainerReaderOptions { ReaderSchema = format.Options.Schema });
            }
            catch (DeserializationException exception)
            {
                input.Dispose();
                throw new DataWeaverException(ErrorClass.Fatal, $"{fileName} is not an Avro container file: {exception.Message}", exception);
            }

            _records = _reader.Read<object?>().GetEnumerator();
        }

        public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_broken)
            {
                return new(false);
            }

            var index = _index++;
            object? value;
            try
            {
                if (!_records.MoveNext())
                {
                    return new(false);
                }

                value = _records.Current;
            }
            catch (DataWeaverException exception)
            {
                _broken = true;
                Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{Where(index)}: {exception.Message} (the rest of the file cannot be read)", exception), index, index + 1, default);
                return new(true);
            }

            try
            {
                var record = AvroJsonRecords.ToRecord(_reader.ReaderSchema, value);
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
            _records.Dispose();
            _reader.Dispose();
            return base.DisposeAsync();
        }

        protected override string Describe() => _fileName;

        private string Where(long index) => string.Create(CultureInfo.InvariantCulture, $"{_fileName} record {index + 1}");
    }

    private sealed class Writer(AvroContainerWriter writer, Serialization.Avro.Schema.AvroSchema schema) : RecordFileWriter
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken)
        {
            // Map every record first: a record that does not fit fails the batch before anything is appended, so the
            // engine's one-by-one retry of the batch writes each good record once.
            var values = new object?[batch.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = AvroJsonRecords.ToValue(schema, batch.Span[i]);
            }

            foreach (var value in values)
            {
                writer.Append(value);
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
