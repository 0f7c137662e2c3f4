using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsvHelper;
using DataWeaver.Configuration.Formats;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Csv;

/// <summary>Turns CSV rows into JSON records and records into rows, column by column. Not thread-safe (one per reader or writer).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The JSON writer holds no unmanaged resource; it writes to an ArrayBufferWriter. The pooled buffer is released by ReleaseBuffer, from the reader's DisposeAsync.")]
internal sealed class CsvRecords(CsvFormatOptions options)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>The bytes a JSON string holds as they are under <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: printable ASCII but <c>"</c> and <c>\</c>.</summary>
    private static readonly byte[] VerbatimBytes = [.. Enumerable.Range(0x20, 0x5F).Select(b => (byte)b).Where(b => b is not ((byte)'"' or (byte)'\\'))];
    private static readonly SearchValues<byte> Verbatim = SearchValues.Create(VerbatimBytes);
    private readonly ArrayBufferWriter<byte> _json = new(1024);
    private Utf8JsonWriter? _writer;
    private byte[][] _names = [];
    private JsonEncodedText[] _encodedNames = [];
    private CsvColumnType[] _types = [];
    private byte[][] _prefixes = [];
    private byte[]?[] _cells = [];
    private int[] _starts = [];
    private int[] _lengths = [];
    private bool _trustWritten;
    private RecordWithOriginal? _buffer;
    private CsvPlainRowJson? _plain; // the JSON of plain rows, when every column is a string
    private CsvRowBuffer? _rows; // plain rows whose JSON is written when first read

    public int Count => _names.Length;

    /// <summary>Gets the layout of the rows these columns read and write (<see langword="null"/> before the columns are set).</summary>
    public CsvRowLayout? Layout { get; private set; }

    /// <summary>Sets the columns: those of a header (typed by the options where listed), or the options' own.</summary>
    public void UseColumns(IReadOnlyList<string>? header)
    {
        var names = header ?? [.. options.Columns.Select(c => c.Key)];
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new DataWeaverException(ErrorClass.Data, $"the column '{duplicate.Key}' appears twice in the header");
        }

        _names = [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];
        _encodedNames = [.. names.Select(n => JsonEncodedText.Encode(n, WriterOptions.Encoder))];
        _types = [.. names.Select(n => options.Columns.FirstOrDefault(c => c.Key == n) is { Key: not null } c ? c.Value : CsvColumnType.String)];
        _cells = new byte[]?[names.Count];
        _starts = new int[names.Count];
        _lengths = new int[names.Count];
        _trustWritten = !_types.Contains(CsvColumnType.Json);
        _prefixes = [.. _encodedNames.Select((n, i) => (byte[])[(byte)(i == 0 ? '{' : ','), (byte)'"', .. n.EncodedUtf8Bytes, (byte)'"', (byte)':'])];
        ReleaseBuffer(); // rows of other columns
        _plain = _types.All(t => t == CsvColumnType.String) && options.Delimiter is > (char)0 and < (char)0x80 and not ('"' or '\r' or '\n')
            ? new CsvPlainRowJson(
                [.. names],
                SearchValues.Create([.. VerbatimBytes, (byte)options.Delimiter]),
                (byte)options.Delimiter,
                [.. _prefixes.Select((p, i) => Padded(i == 0 ? [.. p, (byte)'"'] : [(byte)'"', .. p, (byte)'"']))],
                [.. _prefixes.Select((p, i) => p.Length + (i == 0 ? 1 : 2))])
            : null;
        Layout = CsvRowLayout.Of(options.Delimiter, string.Join('\n', names));
    }

    /// <summary>Decodes the current row of <paramref name="csv"/>; the record owns its bytes.</summary>
    public JsonRecord Decode(CsvReader csv) => Decode(csv, keepRow: false, out _);

    /// <summary>
    /// Decodes the current row of <paramref name="csv"/>. With <paramref name="keepRow"/>, a row that can be written again
    /// as it is (<see cref="CsvRowLayout.CanKeep"/>) is kept with its JSON in a pooled buffer, given in
    /// <paramref name="payload"/>; any other record owns its bytes.
    /// </summary>
    public JsonRecord Decode(CsvReader csv, bool keepRow, out Buffers.PayloadBuffer? payload)
    {
        payload = null;
        if (csv.FieldCount != _names.Length)
        {
            throw new DataWeaverException(ErrorClass.Data, string.Create(CultureInfo.InvariantCulture, $"{csv.FieldCount} fields, but there are {_names.Length} columns"));
        }

        if (keepRow && _plain is { } plain && plain.TryMeasure(csv.RawRecord, out var jsonLength))
        {
            return AddPlainRow(csv.RawRecord, jsonLength, out payload);
        }

        var length = VerbatimLength(csv);
        if (length > 0 && length <= JsonRecordOptions.Default.MaxRecordBytes)
        {
            var raw = csv.RawRecord;
            if (keepRow && CsvRowLayout.CanKeep(raw))
            {
                var record = Cut(length, raw.Length, out var json, out var original, out payload);
                WriteVerbatim(csv, json);
                raw.CopyTo(original);
                return record;
            }

            var bytes = GC.AllocateUninitializedArray<byte>(length);
            WriteVerbatim(csv, bytes);
            return JsonRecord.CreateUnchecked(bytes);
        }

        _json.ResetWrittenCount();
        var writer = Writer();
        writer.WriteStartObject();
        for (var i = 0; i < _names.Length; i++)
        {
            var cell = csv.GetSpan(i);
            writer.WritePropertyName(_encodedNames[i]);
            WriteCell(writer, i, cell);
        }

        writer.WriteEndObject();
        writer.Flush();
        var written = _json.WrittenSpan.ToArray();

        // The object was just written by Utf8JsonWriter from names and cells (no raw JSON cell), so it is well-formed
        // and only the checks the writer does not make remain: valid UTF-8 and the record size limit. Anything else
        // takes the full validation of JsonRecord.Parse, which also reports the error.
        return _trustWritten && written.Length <= JsonRecordOptions.Default.MaxRecordBytes && System.Text.Unicode.Utf8.IsValid(written)
            ? JsonRecord.CreateUnchecked(written)
            : JsonRecord.Parse(written);
    }

    /// <summary>A plain row, its JSON written when first read (<see cref="CsvRowBuffer"/>).</summary>
    private JsonRecord AddPlainRow(ReadOnlySpan<byte> raw, int jsonLength, out Buffers.PayloadBuffer payload)
    {
        JsonRecord record;
        while (_rows is null || !_rows.TryAdd(raw, jsonLength, out record))
        {
            ((IDisposable?)_rows)?.Dispose();
            _rows = CsvRowBuffer.Rent(Layout!, _plain!, Math.Max(64 * 1024, CsvRowBuffer.RoomFor(jsonLength, raw.Length)));
        }

        payload = _rows.Payload;
        return record;
    }

    private static byte[] Padded(byte[] bytes)
    {
        var padded = new byte[Math.Max(16, bytes.Length)];
        bytes.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>Drops the reader's reference to the buffer kept rows are cut from.</summary>
    public void ReleaseBuffer()
    {
        ((IDisposable?)_buffer)?.Dispose();
        _buffer = null;
        ((IDisposable?)_rows)?.Dispose();
        _rows = null;
    }

    private JsonRecord Cut(int jsonLength, int rawLength, out Span<byte> json, out Span<byte> original, out Buffers.PayloadBuffer payload)
    {
        JsonRecord record;
        while (_buffer is null || !_buffer.TryAdd(jsonLength, rawLength, out json, out original, out record))
        {
            ReleaseBuffer();
            _buffer = RecordWithOriginal.Rent(Layout!, Math.Max(64 * 1024, RecordWithOriginal.RoomFor(jsonLength, rawLength)));
        }

        payload = _buffer.Payload;
        return record;
    }

    /// <summary>
    /// The length of the row as Utf8JsonWriter writes it, when it can be put together directly because every cell is
    /// written as it is: a string cell of printable ASCII without <c>"</c> or <c>\</c>, an integer cell in its shortest
    /// form, a boolean cell <c>true</c> or <c>false</c>, an empty typed cell (<c>null</c>); else 0 (the writer's path).
    /// </summary>
    private int VerbatimLength(CsvReader csv)
    {
        if (_prefixes.Length == 0)
        {
            return 0;
        }

        var length = 1;
        for (var i = 0; i < _prefixes.Length; i++)
        {
            var cell = csv.GetSpan(i);
            var fits = _types[i] switch
            {
                CsvColumnType.String => !cell.ContainsAnyExcept(Verbatim),
                _ when cell.IsEmpty => _types[i] is CsvColumnType.Integer or CsvColumnType.Boolean,
                CsvColumnType.Integer => IsShortestInteger(cell),
                CsvColumnType.Boolean => cell.SequenceEqual("true"u8) || cell.SequenceEqual("false"u8),
                _ => false,
            };
            if (!fits)
            {
                return 0;
            }

            length += _prefixes[i].Length + (cell.IsEmpty && _types[i] != CsvColumnType.String ? 4 : cell.Length + (_types[i] == CsvColumnType.String ? 2 : 0));
        }

        return length;
    }

    /// <summary>Writes the row as <see cref="VerbatimLength"/> measured it into <paramref name="bytes"/>.</summary>
    private void WriteVerbatim(CsvReader csv, Span<byte> bytes)
    {
        var at = 0;
        for (var i = 0; i < _prefixes.Length; i++)
        {
            _prefixes[i].CopyTo(bytes[at..]);
            at += _prefixes[i].Length;
            var cell = csv.GetSpan(i);
            if (_types[i] == CsvColumnType.String)
            {
                bytes[at++] = (byte)'"';
                cell.CopyTo(bytes[at..]);
                at += cell.Length;
                bytes[at++] = (byte)'"';
            }
            else
            {
                (cell.IsEmpty ? "null"u8 : cell).CopyTo(bytes[at..]);
                at += cell.IsEmpty ? 4 : cell.Length;
            }
        }

        bytes[at] = (byte)'}';
    }

    /// <summary>Whether the cell is an integer as <see cref="Utf8JsonWriter.WriteNumberValue(long)"/> writes it: no sign but minus, no leading zero, at most 18 digits.</summary>
    private static bool IsShortestInteger(ReadOnlySpan<byte> cell)
    {
        var digits = cell.Length > 0 && cell[0] == (byte)'-' ? cell[1..] : cell;
        return digits.Length is > 0 and <= 18
               && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9')
               && (digits[0] != (byte)'0' || (digits.Length == 1 && cell.Length == 1));
    }

    /// <summary>Writes a record as one row of the columns; the columns come from the first record when none are set.</summary>
    public void Encode(in JsonRecord record, CsvWriter csv, bool writeHeader)
    {
        if (_names.Length == 0)
        {
            UseColumns(FieldNames(record));
            if (writeHeader)
            {
                csv.WriteHeader([.. _names.Select(n => System.Text.Encoding.UTF8.GetString(n))]);
            }
        }

        Array.Clear(_lengths);
        Array.Clear(_starts);
        var source = record.Utf8.Span;
        var reader = new Utf8JsonReader(source);
        reader.Read();
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = expected < _names.Length && reader.ValueTextEquals(_names[expected]) ? expected : IndexOf(ref reader);
            expected = column + 1;
            if (column < 0)
            {
                throw new DataWeaverException(ErrorClass.Data, $"the record has the field '{reader.GetString()}', which is not a column (the columns: {string.Join(", ", _names.Select(n => System.Text.Encoding.UTF8.GetString(n)))})");
            }

            reader.Read();

            Capture(ref reader, source, column);
        }

        for (var i = 0; i < _names.Length; i++)
        {
            csv.WriteField(_starts[i] >= 0 ? source.Slice(_starts[i], _lengths[i]) : _cells[i].AsSpan(0, _lengths[i]));
        }

        csv.EndRecord();
    }

    /// <summary>Sets the columns to the fields of <paramref name="record"/>, in its order.</summary>
    public void UseColumnsOf(in JsonRecord record) => UseColumns(FieldNames(record));

    public void WriteHeader(CsvWriter csv) => csv.WriteHeader([.. _names.Select(n => System.Text.Encoding.UTF8.GetString(n))]);

    private static List<string> FieldNames(in JsonRecord record)
    {
        List<string> names = [];
        var reader = new Utf8JsonReader(record.Utf8.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            names.Add(reader.GetString()!);
            reader.Read();
            reader.Skip();
        }

        return names;
    }

    private int IndexOf(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (reader.ValueTextEquals(_names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Notes the text of the value at the reader for column <paramref name="column"/>: strings unescaped, others as JSON,
    /// null empty. Text that lies in the record as it is (most values) is noted as its offset and length in the record;
    /// an escaped string is unescaped into the column's scratch buffer (offset -1).
    /// </summary>
    private void Capture(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, int column)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                _starts[column] = 0;
                _lengths[column] = 0;
                return;
            case JsonTokenType.String when reader.ValueIsEscaped:
                var cell = _cells[column];
                if (cell is null || cell.Length < reader.ValueSpan.Length)
                {
                    cell = _cells[column] = new byte[Math.Max(64, reader.ValueSpan.Length * 2)];
                }

                _starts[column] = -1;
                _lengths[column] = reader.CopyString(cell);
                return;
            case JsonTokenType.String:
                Borrow(source, reader.ValueSpan, column);
                return;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                _starts[column] = start;
                _lengths[column] = (int)reader.BytesConsumed - start;
                return;
            default:
                Borrow(source, reader.ValueSpan, column);
                return;
        }
    }

    /// <summary>Notes where <paramref name="value"/>, a slice of the record's single span, lies in it.</summary>
    private void Borrow(ReadOnlySpan<byte> source, ReadOnlySpan<byte> value, int column)
    {
        if (value.IsEmpty)
        {
            _starts[column] = 0;
            _lengths[column] = 0;
            return;
        }

        if (!source.Overlaps(value, out var offset))
        {
            throw new InvalidOperationException("The value is not a slice of the record.");
        }

        _starts[column] = offset;
        _lengths[column] = value.Length;
    }

    private void WriteCell(Utf8JsonWriter writer, int column, ReadOnlySpan<byte> cell)
    {
        var type = _types[column];
        if (type == CsvColumnType.String)
        {
            writer.WriteStringValue(cell);
            return;
        }

        if (cell.IsEmpty)
        {
            writer.WriteNullValue();
            return;
        }

        switch (type)
        {
            case CsvColumnType.Integer when Utf8Parser.TryParse(cell, out long integer, out var used) && used == cell.Length:
                writer.WriteNumberValue(integer);
                break;
            case CsvColumnType.Number when Utf8Parser.TryParse(cell, out double number, out var used) && used == cell.Length && double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case CsvColumnType.Boolean when Boolean(cell) is { } flag:
                writer.WriteBooleanValue(flag);
                break;
            case CsvColumnType.Json when IsJson(cell):
                writer.WriteRawValue(cell, skipInputValidation: true);
                break;
            default:
                throw new DataWeaverException(ErrorClass.Data, $"the column '{System.Text.Encoding.UTF8.GetString(_names[column])}' is {type.ToString().ToLowerInvariant()}, but the cell is '{Shorten(cell)}'");
        }
    }

    private static bool? Boolean(ReadOnlySpan<byte> cell) =>
        cell.SequenceEqual("1"u8) || System.Text.Ascii.EqualsIgnoreCase(cell, "true"u8) ? true
        : cell.SequenceEqual("0"u8) || System.Text.Ascii.EqualsIgnoreCase(cell, "false"u8) ? false
        : null;

    private static bool IsJson(ReadOnlySpan<byte> cell)
    {
        try
        {
            var reader = new Utf8JsonReader(cell);
            reader.Read();
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(ReadOnlySpan<byte> cell)
    {
        var text = System.Text.Encoding.UTF8.GetString(cell[..Math.Min(cell.Length, 64)]);
        return cell.Length > 64 ? text + "..." : text;
    }

    private Utf8JsonWriter Writer()
    {
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_json, WriterOptions);
        }
        else
        {
            _writer.Reset(_json);
        }

        return _writer;
    }
}
