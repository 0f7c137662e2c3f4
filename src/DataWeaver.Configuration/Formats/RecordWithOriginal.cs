using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>
/// A pooled buffer that a format's reader cuts records from, each record's JSON kept with the bytes it was decoded from
/// (a csv row, an Avro datum), so that a sink writing the same format in the same layout writes those bytes as they
/// are instead of encoding the JSON again. The records are ordinary <see cref="JsonRecord"/>s to every transform; a
/// transform that builds a new record drops the original, and the sink encodes that one as usual.
/// </summary>
/// <remarks>
/// A format keeps the original only where writing it gives what encoding the record would give for input that follows
/// the format's rules, so the shortcut changes no output byte. Each record takes a 12-byte header in the buffer: a marker
/// that cannot occur in UTF-8 and the two lengths, so a record cut from another one (a slice) is never taken for it.
/// The buffer comes from <see cref="PayloadPool.Shared"/>: pass <see cref="Payload"/> with each record
/// (<see cref="RecordFileItem.Ok"/>) so the batches hold it until the records are acknowledged, and dispose the
/// buffer once no more records are cut from it.
/// </remarks>
public sealed class RecordWithOriginal : MemoryManager<byte>
{
    private const int HeaderLength = 12;
    private const uint Marker = 0xFCFDFEFF; // bytes FF FE FD FC: never in UTF-8

    private readonly byte[] _array;
    private int _written;
    private int _disposed;

    private RecordWithOriginal(PayloadBuffer payload, object layout)
    {
        Payload = payload;
        _array = payload.Array;
        Layout = layout;
    }

    /// <summary>Gets the pooled buffer the records borrow their bytes from.</summary>
    public PayloadBuffer Payload { get; }

    /// <summary>Gets what the original bytes need to be written as they are: the format's layout (columns, schema); compared with <see cref="object.Equals(object)"/>.</summary>
    public object Layout { get; }

    /// <summary>Rents a buffer for records in <paramref name="layout"/>.</summary>
    /// <param name="layout">The layout of the original bytes.</param>
    /// <param name="minimumLength">The smallest length; the default is 64 KiB.</param>
    /// <returns>The buffer; its renter owns one reference, dropped by disposing it (<see cref="IDisposable.Dispose"/>).</returns>
    public static RecordWithOriginal Rent(object layout, int minimumLength = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new RecordWithOriginal(PayloadPool.Shared.Rent(minimumLength), layout);
    }

    /// <summary>Gets the room a record of these lengths takes in a buffer.</summary>
    /// <param name="jsonLength">The JSON's length.</param>
    /// <param name="originalLength">The original's length.</param>
    /// <returns>The bytes needed.</returns>
    public static int RoomFor(int jsonLength, int originalLength) => HeaderLength + jsonLength + originalLength;

    /// <summary>
    /// Reserves room for the next record: its JSON (not validated: the format vouches for it, as for
    /// <see cref="JsonRecord.CreateUnchecked"/>) and its original bytes, both to be filled by the caller.
    /// </summary>
    /// <param name="jsonLength">The JSON's length.</param>
    /// <param name="originalLength">The original's length.</param>
    /// <param name="json">Where the JSON goes.</param>
    /// <param name="original">Where the original bytes go.</param>
    /// <param name="record">The record, valid once both are filled.</param>
    /// <returns><see langword="false"/> when the buffer has no room left for it (rent another).</returns>
    public bool TryAdd(int jsonLength, int originalLength, out Span<byte> json, out Span<byte> original, out JsonRecord record)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(jsonLength);
        ArgumentOutOfRangeException.ThrowIfNegative(originalLength);
        if ((long)RoomFor(jsonLength, originalLength) > _array.Length - _written)
        {
            json = default;
            original = default;
            record = default;
            return false;
        }

        var start = _written + HeaderLength;
        json = _array.AsSpan(start, jsonLength);
        original = _array.AsSpan(start + jsonLength, originalLength);
        record = Add(jsonLength, originalLength);
        return true;
    }

    /// <summary>
    /// Gets the room left for the next record, after its header: a format that writes a record in place puts its JSON
    /// there followed by its original bytes, then calls <see cref="Add"/>. Empty when the buffer is full.
    /// </summary>
    public Span<byte> Room => _written + HeaderLength < _array.Length ? _array.AsSpan(_written + HeaderLength) : default;

    /// <summary>Adds the record written in <see cref="Room"/>: <paramref name="jsonLength"/> bytes of JSON (not validated), then its original bytes.</summary>
    /// <param name="jsonLength">The JSON's length.</param>
    /// <param name="originalLength">The original's length.</param>
    /// <returns>The record.</returns>
    public JsonRecord Add(int jsonLength, int originalLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(jsonLength);
        ArgumentOutOfRangeException.ThrowIfNegative(originalLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)jsonLength + originalLength, Room.Length, nameof(originalLength));
        var header = _array.AsSpan(_written, HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Marker);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], jsonLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], originalLength);
        var start = _written + HeaderLength;
        _written = start + jsonLength + originalLength;
        return JsonRecord.CreateUnchecked(CreateMemory(start, jsonLength));
    }

    /// <summary>
    /// Gets the original bytes of a record that is exactly one cut by <see cref="TryAdd"/> or <see cref="Add"/> (not a slice of it) from a
    /// buffer whose layout equals <paramref name="layout"/>.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="layout">The layout the caller writes.</param>
    /// <param name="original">The original bytes, or empty.</param>
    /// <returns><see langword="true"/> when the record holds its original bytes in that layout.</returns>
    public static bool TryGetOriginal(in JsonRecord record, object layout, out ReadOnlySpan<byte> original)
    {
        if (MemoryMarshal.TryGetMemoryManager(record.Utf8, out RecordWithOriginal? buffer, out var start, out var length)
            && start >= HeaderLength
            && (ReferenceEquals(buffer.Layout, layout) || buffer.Layout.Equals(layout)))
        {
            var header = buffer._array.AsSpan(start - HeaderLength, HeaderLength);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) == Marker && BinaryPrimitives.ReadInt32LittleEndian(header[4..]) == length)
            {
                original = buffer._array.AsSpan(start + length, BinaryPrimitives.ReadInt32LittleEndian(header[8..]));
                return true;
            }
        }

        original = default;
        return false;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _array;

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => _array.AsMemory(elementIndex).Pin();

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(_array);
        return true;
    }

    /// <summary>Drops the renter's reference to the pooled buffer.</summary>
    /// <param name="disposing">Whether called from <see cref="IDisposable.Dispose"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Payload.Dispose();
        }
    }
}
