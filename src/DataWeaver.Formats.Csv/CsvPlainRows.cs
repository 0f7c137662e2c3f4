using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Csv;

/// <summary>
/// The JSON of a plain row: a row of string columns whose bytes are all printable ASCII but <c>"</c> and <c>\</c>, or
/// the delimiter. Its cells are the text between delimiters (no quotes) and each is written as it is, so the JSON's
/// length is known from the row's without writing it (<see cref="TryMeasure"/>), and writing it
/// (<see cref="Write"/>) cannot fail. Immutable: shared by a reader and the buffers of rows it cut.
/// </summary>
internal sealed class CsvPlainRowJson
{
    private readonly SearchValues<byte> _plainBytes;
    private readonly byte _delimiter;
    private readonly byte[][] _separators; // before each cell: {"name":" then ","name":", padded to 16 bytes
    private readonly int[] _separatorLengths;
    private readonly int _separatorsLength;

    /// <summary>Creates the JSON writer of rows of these columns.</summary>
    /// <param name="names">The column names, in order.</param>
    /// <param name="plainBytes">The bytes a plain row may hold (the verbatim bytes and the delimiter).</param>
    /// <param name="delimiter">The delimiter, an ASCII byte.</param>
    /// <param name="separators">Before each cell, its separator padded to at least 16 bytes.</param>
    /// <param name="separatorLengths">Each separator's length without its padding.</param>
    public CsvPlainRowJson(IReadOnlyList<string> names, SearchValues<byte> plainBytes, byte delimiter, byte[][] separators, int[] separatorLengths)
    {
        Names = names;
        _plainBytes = plainBytes;
        _delimiter = delimiter;
        _separators = separators;
        _separatorLengths = separatorLengths;
        _separatorsLength = separatorLengths.Sum();
    }

    /// <summary>Gets the column names, in order: the fields of each row's JSON.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The length of the row's JSON when it is a plain row with one cell per column (the caller checked the field count;
    /// a row of up to 64 bytes is also checked by counting its delimiters); else <see langword="false"/>.
    /// </summary>
    public bool TryMeasure(ReadOnlySpan<byte> raw, out int jsonLength)
    {
        var columns = _separators.Length;
        jsonLength = _separatorsLength + raw.Length - (columns - 1) + 2;
        if (columns == 0 || raw.IsEmpty || raw.ContainsAnyExcept(_plainBytes) || jsonLength > JsonRecordOptions.Default.MaxRecordBytes)
        {
            return false;
        }

        return raw.Length > 64 || !Vector256.IsHardwareAccelerated || BitOperations.PopCount(DelimiterMask(raw, _delimiter)) == columns - 1;
    }

    /// <summary>
    /// Writes the JSON of a row <see cref="TryMeasure"/> accepted into <paramref name="room"/>, which has at least 16
    /// bytes to spare after the JSON: a short copy may write up to 16 bytes past its end, which the next copy
    /// overwrites, so all but the last few bytes take one vector move instead of a call. The bytes after the JSON are
    /// left undefined.
    /// </summary>
    public void Write(ReadOnlySpan<byte> raw, Span<byte> room)
    {
        var columns = _separators.Length;
        var masked = raw.Length <= 64 && Vector256.IsHardwareAccelerated;
        var ends = masked ? DelimiterMask(raw, _delimiter) : 0;
        var at = 0;
        var cell = 0;
        for (var i = 0; i < columns; i++)
        {
            var separator = _separators[i];
            var length = _separatorLengths[i];
            if (length <= 16 && at + 16 <= room.Length)
            {
                Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(separator)).StoreUnsafe(ref MemoryMarshal.GetReference(room), (nuint)at);
            }
            else
            {
                separator.AsSpan(0, length).CopyTo(room[at..]);
            }

            at += length;
            int end;
            if (i == columns - 1)
            {
                end = raw.Length;
            }
            else if (ends != 0)
            {
                end = BitOperations.TrailingZeroCount(ends);
                ends &= ends - 1;
            }
            else
            {
                end = cell + raw[cell..].IndexOf(_delimiter);
            }

            var cellLength = end - cell;
            if (cellLength <= 16 && cell + 16 <= raw.Length && at + 16 <= room.Length)
            {
                Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(raw), (nuint)cell).StoreUnsafe(ref MemoryMarshal.GetReference(room), (nuint)at);
            }
            else
            {
                raw[cell..end].CopyTo(room[at..]);
            }

            at += cellLength;
            cell = end + 1;
        }

        room[at] = (byte)'"';
        room[at + 1] = (byte)'}';
    }

    /// <summary>
    /// Bit <c>i</c> set where byte <c>i</c> of a row of at most 64 bytes is the delimiter: two overlapping vector compares
    /// instead of a search per cell (the row has no quote, so every delimiter ends a cell).
    /// </summary>
    private static ulong DelimiterMask(ReadOnlySpan<byte> raw, byte delimiter)
    {
        ref var start = ref MemoryMarshal.GetReference(raw);
        var n = raw.Length;
        if (n >= 32)
        {
            var wide = Vector256.Create(delimiter);
            ulong first = Vector256.Equals(Vector256.LoadUnsafe(ref start), wide).ExtractMostSignificantBits();
            ulong last = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(n - 32)), wide).ExtractMostSignificantBits();
            return first | (last << (n - 32));
        }

        if (n >= 16)
        {
            var narrow = Vector128.Create(delimiter);
            ulong first = Vector128.Equals(Vector128.LoadUnsafe(ref start), narrow).ExtractMostSignificantBits();
            ulong last = Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(n - 16)), narrow).ExtractMostSignificantBits();
            return first | (last << (n - 16));
        }

        var mask = 0UL;
        for (var i = 0; i < n; i++)
        {
            if (raw[i] == delimiter)
            {
                mask |= 1UL << i;
            }
        }

        return mask;
    }
}

/// <summary>
/// A pooled buffer of plain csv rows (<see cref="CsvPlainRowJson"/>) whose JSON is written when it is first read, not
/// when the row is read: the reader's thread only checks and copies the row, and a sink that writes rows in the same
/// layout copies them without the JSON ever being written. Each record's bytes are the room its JSON takes; the first
/// read of any record's bytes (<see cref="GetSpan"/>, <see cref="Pin"/>, <see cref="TryGetArray"/>: every way to reach
/// the bytes of a <see cref="Memory{T}"/>) writes the JSON of every row added so far, on the reading thread, so the
/// work moves off the reader's thread to whichever thread reads the records first (a transform's worker, a sink).
/// </summary>
/// <remarks>
/// Thread safety: one thread adds rows (the reader); any thread may read. A row is added whole (copied and its header
/// written) before the end of the added rows moves past it, and a record is handed on only after it was added, so
/// every record a reader holds lies below that end. Writing the JSON of rows below it (under a lock) touches only their
/// JSON rooms and 16 bytes of padding after each, never what the reader is writing above it. A row is added only when
/// its JSON can be written (<see cref="CsvPlainRowJson.TryMeasure"/>): writing it later cannot fail, so a record whose
/// checkpoint moves on is always one that decodes; rows that may not decode take the reader's own path, as before.
/// Layout of a row: its length (4 bytes), the row, a 12-byte header (marker, JSON length, row length), the JSON room,
/// 16 bytes of padding.
/// </remarks>
internal sealed class CsvRowBuffer : MemoryManager<byte>
{
    private const int HeaderLength = 12;
    private const int Padding = 16;
    private const uint Marker = 0xFCFDFEFB; // byte FB: never in UTF-8

    private readonly byte[] _array;
    private readonly CsvPlainRowJson _json;
    private readonly Lock _lock = new();
    private int _written; // the reader's: the end of the rows it wrote
    private int _added; // the end of the rows added (published to readers)
    private int _decoded; // the end of the rows whose JSON is written
    private int _disposed;

    private CsvRowBuffer(PayloadBuffer payload, CsvRowLayout layout, CsvPlainRowJson json)
    {
        Payload = payload;
        _array = payload.Array;
        Layout = layout;
        _json = json;
    }

    /// <summary>Gets the pooled buffer the records borrow their bytes from; pass it with each record so the batches hold it.</summary>
    public PayloadBuffer Payload { get; }

    /// <summary>Gets the layout of the rows.</summary>
    public CsvRowLayout Layout { get; }

    /// <summary>Gets the end of the rows whose JSON was written (0 while none was read).</summary>
    public int DecodedBytes => Volatile.Read(ref _decoded);

    /// <summary>Gets the columns of a record cut from a buffer like this one (its JSON's fields, in order) without reading its bytes; <see langword="null"/> for other records.</summary>
    public static IReadOnlyList<string>? ColumnsOf(in JsonRecord record) =>
        MemoryMarshal.TryGetMemoryManager(record.Utf8, out CsvRowBuffer? buffer) ? buffer._json.Names : null;

    /// <summary>Rents a buffer for rows in <paramref name="layout"/>; its renter owns one reference, dropped by disposing it.</summary>
    public static CsvRowBuffer Rent(CsvRowLayout layout, CsvPlainRowJson json, int minimumLength) =>
        new(PayloadPool.Shared.Rent(minimumLength), layout, json);

    /// <summary>The room a row of these lengths takes.</summary>
    public static int RoomFor(int jsonLength, int rowLength) => 4 + rowLength + HeaderLength + jsonLength + Padding;

    /// <summary>Adds a row <see cref="CsvPlainRowJson.TryMeasure"/> accepted; <see langword="false"/> when the buffer has no room for it.</summary>
    public bool TryAdd(ReadOnlySpan<byte> row, int jsonLength, out JsonRecord record)
    {
        var at = _written;
        if (RoomFor(jsonLength, row.Length) > _array.Length - at)
        {
            record = default;
            return false;
        }

        var array = _array.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(array[at..], row.Length);
        row.CopyTo(array[(at + 4)..]);
        var header = array.Slice(at + 4 + row.Length, HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Marker);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], jsonLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], row.Length);
        var start = at + 4 + row.Length + HeaderLength;
        _written = start + jsonLength + Padding;
        Volatile.Write(ref _added, _written);
        record = JsonRecord.CreateUnchecked(CreateMemory(start, jsonLength));
        return true;
    }

    /// <summary>The row a record of this buffer was read from, when it is exactly such a record (not a slice) and the buffer's layout is <paramref name="layout"/>.</summary>
    public static bool TryGetOriginal(in JsonRecord record, CsvRowLayout layout, out ReadOnlySpan<byte> original)
    {
        if (MemoryMarshal.TryGetMemoryManager(record.Utf8, out CsvRowBuffer? buffer, out var start, out var length)
            && start >= 4 + HeaderLength
            && (ReferenceEquals(buffer.Layout, layout) || buffer.Layout.Equals(layout)))
        {
            var header = buffer._array.AsSpan(start - HeaderLength, HeaderLength);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) == Marker && BinaryPrimitives.ReadInt32LittleEndian(header[4..]) == length)
            {
                var rowLength = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
                original = buffer._array.AsSpan(start - HeaderLength - rowLength, rowLength);
                return true;
            }
        }

        original = default;
        return false;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan()
    {
        Decode();
        return _array;
    }

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        Decode();
        return _array.AsMemory(elementIndex).Pin();
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        Decode();
        segment = new ArraySegment<byte>(_array);
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Payload.Dispose();
        }
    }

    /// <summary>Writes the JSON of every row added and not yet written.</summary>
    private void Decode()
    {
        if (Volatile.Read(ref _decoded) == Volatile.Read(ref _added))
        {
            return;
        }

        lock (_lock)
        {
            // A record read after its buffer went back to the pool (a holder's bug) must not write into the array's next user.
            ObjectDisposedException.ThrowIf(Payload.ReferenceCount <= 0, this);
            var end = Volatile.Read(ref _added);
            var at = _decoded;
            var array = _array.AsSpan();
            while (at < end)
            {
                var rowLength = BinaryPrimitives.ReadInt32LittleEndian(array[at..]);
                var row = array.Slice(at + 4, rowLength);
                var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(array[(at + 4 + rowLength + 4)..]);
                var start = at + 4 + rowLength + HeaderLength;
                _json.Write(row, array.Slice(start, jsonLength + Padding));
                at = start + jsonLength + Padding;
            }

            Volatile.Write(ref _decoded, end);
        }
    }
}
