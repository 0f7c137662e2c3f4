using System.Globalization;
using CsvHelper;
using DataWeaver.Configuration.Formats;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Csv;

/// <summary>
/// CSV files (RFC 4180, CsvHelper): a header row, then one record per row (quoted fields may hold line breaks).
/// Positions are row numbers: a checkpointed file resumes by skipping the rows already read. A row with the wrong
/// number of fields or a cell that does not fit its column's type is reported with its row number, byte offset and its
/// original bytes.
/// </summary>
/// <param name="options">The format's options.</param>
public sealed class CsvFileFormat(CsvFormatOptions options) : RecordFileFormat
{
    /// <summary>Gets the format's options.</summary>
    public CsvFormatOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public override string Name => "csv";

    /// <inheritdoc />
    public override bool EndsRecordsWithLineEnd => true;

    /// <inheritdoc />
    /// <value><see langword="false"/>: the CSV parser fills its buffer before it parses.</value>
    public override bool ReadsRecordsAsTheyArrive => false;

    /// <inheritdoc />
    public override RecordFileReader CreateReader(Stream input, string fileName) => new Reader(this, input, fileName);

    /// <inheritdoc />
    public override RecordFileWriter CreateWriter(Stream output) => new Writer(this, output);

    internal CsvReaderOptions ReaderOptions() => CsvReaderOptions.Default with
    {
        Separator = Options.Delimiter,
        HasHeader = Options.Header,
        TrimWhitespace = false,
        MaxRecordSize = Options.MaxRecordBytes,
        IncludeValuesInExceptions = false,
    };

    internal CsvWriterOptions WriterOptions() => CsvWriterOptions.Default with
    {
        Separator = Options.Delimiter,
        Quoting = Options.Quoting,
        NewLine = "\n",
        ValidateFieldCount = false,
    };

    /// <summary>
    /// Reads rows through a <see cref="CompleteLinesStream"/>, so a last row without its line end (a row still being
    /// written) is not parsed unless <see cref="RecordFileReader.ReadIncompleteLastRecord"/> is set.
    /// </summary>
    private sealed class Reader(CsvFileFormat format, Stream input, string fileName) : RecordFileReader
    {
        private readonly CompleteLinesStream _lines = new(input, (byte)'"', format.Options.MaxRecordBytes + 2);
        private readonly CsvRecords _records = new(format.Options);
        private CsvReader? _reader;
        private long _row;

        private CsvReader Csv => _reader!;

        public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            if (_reader is null)
            {
                return FirstAsync(cancellationToken);
            }

            // A row already read into CsvHelper's buffer (nearly every one) is decoded without an asynchronous state machine.
            ValueTask<bool> read;
            try
            {
                read = Csv.ReadAsync(cancellationToken);
            }
            catch (CsvFormatException exception)
            {
                throw Malformed(exception);
            }

            return read.IsCompletedSuccessfully ? new ValueTask<bool>(Next(read.Result)) : NextAsync(read);
        }

        private async ValueTask<bool> FirstAsync(CancellationToken cancellationToken)
        {
            _lines.PassIncompleteTail = ReadIncompleteLastRecord;
            _reader = CsvReader.Create(_lines, format.ReaderOptions(), leaveOpen: false);
            if (format.Options.Header)
            {
                await Csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
                _records.UseColumns(Csv.Headers);
            }
            else
            {
                _records.UseColumns(null);
            }

            return await MoveNextAsync(cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask<bool> NextAsync(ValueTask<bool> read)
        {
            bool more;
            try
            {
                more = await read.ConfigureAwait(false);
            }
            catch (CsvFormatException exception)
            {
                throw Malformed(exception);
            }

            return Next(more);
        }

        private DataWeaverException Malformed(CsvFormatException exception) =>
            new(ErrorClass.Data, string.Create(CultureInfo.InvariantCulture, $"{fileName} near byte offset {exception.ByteOffset}: {exception.Message}"), exception);

        private bool Next(bool more)
        {
            if (!more)
            {
                IncompleteTailBytes = _lines.HeldBytes;
                IncompleteTailPosition = _row;
                return false;
            }

            var row = _row++;
            try
            {
                var record = _records.Decode(Csv, keepRow: true, out var payload);
                Current = RecordFileItem.Ok(record, row, row + 1, record.Utf8.Length, payload);
            }
            catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
            {
                var where = string.Create(CultureInfo.InvariantCulture, $"{fileName} row {Csv.RowNumber} (byte offset {Csv.ByteOffset})");
                Current = RecordFileItem.Bad(new DataWeaverException(ErrorClass.Data, $"{where}: {exception.Message}", exception), row, row + 1, Csv.RawRecord.ToArray());
            }

            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            _records.ReleaseBuffer();
            if (_reader is not null)
            {
                await _reader.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await _lines.DisposeAsync().ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override string Describe() => fileName;
    }

    /// <summary>Writes each batch into memory first and copies it out whole, so a record that fails leaves nothing of its batch behind.</summary>
    private sealed class Writer(CsvFileFormat format, Stream output) : RecordFileWriter
    {
        private readonly MemoryStream _memory = new();
        private readonly bool _header = format.Options.Header && !(output.CanSeek && output.Position > 0);
        private CsvWriter _csv = CsvWriter.Create(Stream.Null, format.WriterOptions());
        private CsvRecords _records = Start(format.Options);
        private bool _headerWritten;
        private byte[] _rows = new byte[64 * 1024]; // a batch of rows as they were read

        public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken)
        {
            if ((_headerWritten || !_header) && TryWriteOriginals(batch.Span, out var kept))
            {
                await output.WriteAsync(kept, cancellationToken).ConfigureAwait(false); // no CsvWriter: the rows as they were read
                _headerWritten = true;
                return;
            }

            await _csv.DisposeAsync().ConfigureAwait(false);
            _memory.SetLength(0);
            _csv = CsvWriter.Create(_memory, format.WriterOptions(), leaveOpen: true);
            var header = _headerWritten;
            try
            {
                if (!header && _header && TryWriteOriginals(batch.Span, out var rows))
                {
                    _records.WriteHeader(_csv);
                    await _csv.FlushAsync(cancellationToken).ConfigureAwait(false);
                    _memory.Write(rows.Span);
                    header = true;
                }
                else
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        if (!header && _header && _records.Count > 0)
                        {
                            _records.WriteHeader(_csv);
                        }

                        _records.Encode(batch.Span[i], _csv, _header && !header);
                        header = true;
                    }

                    await _csv.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                if (!_headerWritten && format.Options.Columns.Count == 0)
                {
                    _records = Start(format.Options); // the columns of a batch that was not written
                }

                throw;
            }

            await output.WriteAsync(_memory.GetBuffer().AsMemory(0, (int)_memory.Length), cancellationToken).ConfigureAwait(false);
            _headerWritten = header;
        }

        /// <summary>
        /// When every record of the batch holds the csv row it was read from, in this writer's layout: the rows, a line
        /// each, as they were read, which is byte for byte what encoding the records gives (<see cref="CsvRowLayout"/>).
        /// </summary>
        private bool TryWriteOriginals(ReadOnlySpan<JsonRecord> batch, out ReadOnlyMemory<byte> rows)
        {
            rows = default;
            if (batch.IsEmpty || format.Options.Quoting != CsvQuoting.WhenNeeded)
            {
                return false;
            }

            if (_records.Count == 0)
            {
                // The columns of the first record: a plain row's are its reader's, the fields its JSON would give if read.
                if (CsvRowBuffer.ColumnsOf(batch[0]) is { } columns)
                {
                    _records.UseColumns(columns);
                }
                else
                {
                    _records.UseColumnsOf(batch[0]);
                }
            }

            var layout = _records.Layout!;
            var at = 0;
            foreach (ref readonly var record in batch)
            {
                if (!CsvRowBuffer.TryGetOriginal(record, layout, out var row) && !RecordWithOriginal.TryGetOriginal(record, layout, out row))
                {
                    return false;
                }

                if (at + row.Length + 1 > _rows.Length)
                {
                    Array.Resize(ref _rows, Math.Max(_rows.Length * 2, at + row.Length + 1));
                }

                row.CopyTo(_rows.AsSpan(at));
                at += row.Length;
                _rows[at++] = (byte)'\n';
            }

            rows = _rows.AsMemory(0, at);
            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            await _csv.DisposeAsync().ConfigureAwait(false);
            await _memory.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private static CsvRecords Start(CsvFormatOptions options)
        {
            var records = new CsvRecords(options);
            if (options.Columns.Count > 0)
            {
                records.UseColumns(null);
            }

            return records;
        }
    }
}
