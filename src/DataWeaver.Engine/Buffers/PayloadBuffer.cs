namespace DataWeaver.Buffers;

/// <summary>
/// A pooled byte buffer that record payloads point into. The code that rents it owns one reference; each
/// batch whose records point into it owns another (see <see cref="Connectors.SourceBuffer{T}.Add"/>).
/// The array returns to its <see cref="PayloadPool"/> when the last reference is released, that is once
/// every sink that received those records has acknowledged them.
/// </summary>
public sealed class PayloadBuffer : BatchResource
{
    private readonly PayloadPool _pool;
    private byte[]? _array;

    internal PayloadBuffer(PayloadPool pool, byte[] array)
    {
        _pool = pool;
        _array = array;
    }

    /// <summary>Gets the whole rented array. Its length can exceed what was asked for.</summary>
    public byte[] Array => _array ?? ThrowHelper.ThrowObjectDisposed<byte[]>(nameof(PayloadBuffer));

    /// <summary>Gets the whole rented buffer as memory.</summary>
    public Memory<byte> Memory => Array;

    /// <summary>Drops the renter's own reference. Call it once, when no more records will be cut from the buffer.</summary>
    public void Dispose() => Release();

    private protected override void OnReleased()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            _pool.Return(array);
        }
    }
}
