using System.Buffers;
using System.Runtime.InteropServices;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>
/// The bytes of a record decoded from a format, kept beside its JSON, so that a sink writing the same format with the
/// same layout writes those bytes as they are instead of encoding the JSON again (a csv row, an Avro datum). The record
/// is an ordinary <see cref="JsonRecord"/> to every transform; a transform that builds a new record drops the
/// original, and the sink encodes that one as usual.
/// </summary>
/// <remarks>
/// A format keeps the original only where writing it gives exactly what encoding the record would give for input that
/// follows the format's rules (a csv row without quotes whose cells its JSON holds as they are; a datum of a flat Avro
/// schema), so the shortcut changes no output byte. The JSON and the original share one array: one allocation per record.
/// </remarks>
public sealed class RecordWithOriginal : MemoryManager<byte>
{
    private readonly byte[] _bytes;
    private readonly int _jsonLength;

    private RecordWithOriginal(byte[] bytes, int jsonLength, object layout)
    {
        _bytes = bytes;
        _jsonLength = jsonLength;
        Layout = layout;
    }

    /// <summary>Gets what the original bytes need to be written as they are: the format's layout (columns, schema); compared with <see cref="object.Equals(object)"/>.</summary>
    public object Layout { get; }

    /// <summary>Gets the original bytes.</summary>
    public ReadOnlyMemory<byte> Original => _bytes.AsMemory(_jsonLength);

    /// <summary>
    /// Creates a record from an array holding the record's JSON first and its original bytes after it. The JSON is not
    /// validated: the format vouches for it (as for <see cref="JsonRecord.CreateUnchecked"/>).
    /// </summary>
    /// <param name="jsonThenOriginal">The JSON, then the original bytes; the record owns the array from now on.</param>
    /// <param name="jsonLength">The JSON's length.</param>
    /// <param name="layout">The layout the original bytes are in.</param>
    /// <returns>The record.</returns>
    public static JsonRecord CreateUnchecked(byte[] jsonThenOriginal, int jsonLength, object layout)
    {
        ArgumentNullException.ThrowIfNull(jsonThenOriginal);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegative(jsonLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jsonLength, jsonThenOriginal.Length);
        return JsonRecord.CreateUnchecked(new RecordWithOriginal(jsonThenOriginal, jsonLength, layout).Memory);
    }

    /// <summary>
    /// Gets the original bytes of a record that is exactly one created by <see cref="CreateUnchecked"/> (not a slice of it)
    /// with a layout equal to <paramref name="layout"/>.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="layout">The layout the caller writes.</param>
    /// <param name="original">The original bytes, or empty.</param>
    /// <returns><see langword="true"/> when the record holds its original bytes in that layout.</returns>
    public static bool TryGetOriginal(in JsonRecord record, object layout, out ReadOnlySpan<byte> original)
    {
        if (MemoryMarshal.TryGetMemoryManager(record.Utf8, out RecordWithOriginal? manager, out var start, out var length)
            && start == 0 && length == manager._jsonLength
            && (ReferenceEquals(manager.Layout, layout) || manager.Layout.Equals(layout)))
        {
            original = manager._bytes.AsSpan(manager._jsonLength);
            return true;
        }

        original = default;
        return false;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _bytes.AsSpan(0, _jsonLength);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _jsonLength);
        return _bytes.AsMemory(elementIndex).Pin();
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(_bytes, 0, _jsonLength);
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
}
