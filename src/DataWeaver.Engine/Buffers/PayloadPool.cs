using System.Buffers;

namespace DataWeaver.Buffers;

/// <summary>
/// Where payload buffers come from: <see cref="ArrayPool{T}.Shared"/> by default, with counters that show
/// whether every rented buffer came back.
/// </summary>
public sealed class PayloadPool
{
    private readonly ArrayPool<byte> _arrays;
    private long _rented;
    private long _returned;

    /// <summary>Creates a pool over the given array pool.</summary>
    /// <param name="arrays">The array pool; <see langword="null"/> means <see cref="ArrayPool{T}.Shared"/>.</param>
    public PayloadPool(ArrayPool<byte>? arrays = null)
    {
        _arrays = arrays ?? ArrayPool<byte>.Shared;
    }

    /// <summary>Gets the pool shared by connectors that are not given one.</summary>
    public static PayloadPool Shared { get; } = new();

    /// <summary>Gets how many buffers were rented and not yet returned.</summary>
    public long Outstanding => Interlocked.Read(ref _rented) - Interlocked.Read(ref _returned);

    /// <summary>Gets how many buffers were rented since the pool was created.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Rents a buffer of at least <paramref name="minimumLength"/> bytes. The caller owns one reference.</summary>
    /// <param name="minimumLength">The smallest acceptable length in bytes.</param>
    /// <returns>The buffer.</returns>
    public PayloadBuffer Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minimumLength);
        Interlocked.Increment(ref _rented);
        return new PayloadBuffer(this, _arrays.Rent(minimumLength));
    }

    internal void Return(byte[] array)
    {
        _arrays.Return(array);
        Interlocked.Increment(ref _returned);
    }
}
