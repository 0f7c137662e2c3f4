namespace DataWeaver.Buffers;

/// <summary>
/// Something a batch of records holds on to until the batch is done with: a pooled payload buffer, or the
/// acknowledgement lease of the source records the batch came from. Reference-counted: every batch that
/// holds the resource owns one reference, and the resource is released when the last one is dropped.
/// </summary>
public abstract class BatchResource
{
    private int _references = 1;

    private protected BatchResource()
    {
    }

    /// <summary>Gets how many holders the resource has right now; 0 once released.</summary>
    public int ReferenceCount => Volatile.Read(ref _references);

    /// <summary>Makes a released resource new again, with one reference: for pooled resources, once nothing refers to the old use.</summary>
    private protected void Revive()
    {
        if (Interlocked.CompareExchange(ref _references, 1, 0) != 0)
        {
            ThrowHelper.ThrowInvalidOperation("A batch resource still referenced was reused.");
        }
    }

    internal void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
        {
            ThrowHelper.ThrowInvalidOperation("A released batch resource was referenced again.");
        }
    }

    /// <summary>Drops one reference; the last one releases the resource.</summary>
    internal void Release()
    {
        var remaining = Interlocked.Decrement(ref _references);
        if (remaining == 0)
        {
            OnReleased();
        }
        else if (remaining < 0)
        {
            ThrowHelper.ThrowInvalidOperation("A batch resource was released more often than it was referenced.");
        }
    }

    /// <summary>Runs once, when the last reference is dropped.</summary>
    private protected abstract void OnReleased();
}
