using System.Buffers;
using System.Runtime.CompilerServices;
using DataWeaver.Buffers;
using Microsoft.Extensions.ObjectPool;

namespace DataWeaver.Internal;

/// <summary>What every batch offers regardless of its record type.</summary>
internal interface IBatch
{
    int Count { get; }

    /// <summary>Gives <paramref name="other"/> a reference of its own to every resource of this batch.</summary>
    void ShareResourcesWith<TOther>(Batch<TOther> other);

    /// <summary>Gets the resume position of the first source batch these records came from, if any.</summary>
    Records.SourcePosition? SourceBatchEnd();

    /// <summary>Finishes the batch: releases its resources (acknowledging source leases) and recycles it.</summary>
    void Release();
}

/// <summary>
/// The unit that moves between blocks: a pooled array of records plus the resources those records depend on
/// (source leases, payload buffers). A batch has exactly one owner at a time; whoever holds it either passes
/// it on or calls <see cref="Release"/>.
/// </summary>
internal sealed partial class Batch<T> : IBatch, IAcknowledgeable
{
    private static readonly ObjectPool<Batch<T>> s_pool =
        new DefaultObjectPool<Batch<T>>(new DefaultPooledObjectPolicy<Batch<T>>(), 1024);

    private static readonly bool s_clearOnReturn = RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    private BatchResource? _firstResource;
    private List<BatchResource>? _moreResources;
    // Generation << 1 | acknowledged: one word, so checking the generation and marking it acknowledged is one CAS.
    private int _state;

    public T[] Items { get; private set; } = [];

    public int Count { get; set; }

    /// <summary>Gets or sets the payload bytes the records account for (an estimate after transforms).</summary>
    public long Bytes { get; set; }

    public int Generation => Volatile.Read(ref _state) >> 1;

    public Span<T> Span => Items.AsSpan(0, Count);

    public ReadOnlyMemory<T> Memory => new(Items, 0, Count);

    public static Batch<T> Rent(int capacity)
    {
        var batch = s_pool.Get();
        batch.Items = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 1));
        batch.Count = 0;
        batch.Bytes = 0;
        return batch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        var items = Items;
        var count = Count;
        if ((uint)count < (uint)items.Length)
        {
            items[count] = item;
            Count = count + 1;
        }
        else
        {
            AddWithGrow(item);
        }
    }

    /// <summary>Makes room for at least <paramref name="capacity"/> records.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (Items.Length >= capacity)
        {
            return;
        }

        var bigger = ArrayPool<T>.Shared.Rent(capacity);
        Array.Copy(Items, bigger, Count);
        ReturnArray(Items);
        Items = bigger;
    }

    /// <summary>Takes over a reference the caller already owns.</summary>
    public void Hold(BatchResource resource)
    {
        if (_firstResource is null)
        {
            _firstResource = resource;
        }
        else
        {
            (_moreResources ??= []).Add(resource);
        }
    }

    /// <summary>Adds a reference of its own to a resource.</summary>
    public void Share(BatchResource resource)
    {
        resource.AddReference();
        Hold(resource);
    }

    /// <summary>Moves every resource to <paramref name="other"/>; this batch then holds none.</summary>
    public void MoveResourcesTo<TOther>(Batch<TOther> other)
    {
        if (_firstResource is not null)
        {
            other.Hold(_firstResource);
            _firstResource = null;
        }

        if (_moreResources is { Count: > 0 } more)
        {
            foreach (var r in more)
            {
                other.Hold(r);
            }

            more.Clear();
        }
    }

    /// <summary>Gives <paramref name="other"/> a reference of its own to every resource of this batch.</summary>
    public void ShareResourcesWith<TOther>(Batch<TOther> other)
    {
        if (_firstResource is not null)
        {
            other.Share(_firstResource);
        }

        if (_moreResources is { Count: > 0 } more)
        {
            foreach (var r in more)
            {
                other.Share(r);
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="into"/> a reference of its own to every source lease of this batch (skipping a lease that
    /// is already the list's last entry), for a stateful stage that keeps the records' acknowledgement pending in its state.
    /// </summary>
    public void ShareLeasesWith(List<AcknowledgementTracker.SourceLease> into)
    {
        if (_firstResource is AcknowledgementTracker.SourceLease first)
        {
            AddLease(into, first);
        }

        if (_moreResources is { Count: > 0 } more)
        {
            foreach (var resource in more)
            {
                if (resource is AcknowledgementTracker.SourceLease lease)
                {
                    AddLease(into, lease);
                }
            }
        }

        static void AddLease(List<AcknowledgementTracker.SourceLease> into, AcknowledgementTracker.SourceLease lease)
        {
            if (into.Count > 0 && ReferenceEquals(into[^1], lease))
            {
                return;
            }

            lease.AddReference();
            into.Add(lease);
        }
    }

    /// <summary>Gets the resume position of the first source batch these records came from, if any (for error reports).</summary>
    public Records.SourcePosition? SourceBatchEnd()
    {
        if (_firstResource is AcknowledgementTracker.SourceLease first)
        {
            return new Records.SourcePosition(first.Partition, first.ResumeOffset);
        }

        foreach (var resource in (IEnumerable<BatchResource>?)_moreResources ?? [])
        {
            if (resource is AcknowledgementTracker.SourceLease lease)
            {
                return new Records.SourcePosition(lease.Partition, lease.ResumeOffset);
            }
        }

        return null;
    }

    /// <summary>Acknowledges the batch once, through a <see cref="Connectors.SinkAcknowledgement"/> of this generation.</summary>
    public void Acknowledge(int generation)
    {
        var unacknowledged = generation << 1;
        if (Interlocked.CompareExchange(ref _state, unacknowledged | 1, unacknowledged) != unacknowledged)
        {
            ThrowHelper.ThrowInvalidOperation("A sink batch was acknowledged more than once.");
        }

        Release();
    }

    public void Release()
    {
        var first = _firstResource;
        _firstResource = null;
        first?.Release();
        if (_moreResources is { Count: > 0 } more)
        {
            foreach (var r in more)
            {
                r.Release();
            }

            more.Clear();
        }

        Recycle();
    }

    /// <summary>Returns the array and this object to their pools; the batch must hold no resources.</summary>
    public void Recycle()
    {
        // The next generation, not acknowledged: a stale acknowledgement of this one can no longer match.
        Volatile.Write(ref _state, ((Volatile.Read(ref _state) >> 1) + 1) << 1);
        ReturnArray(Items);
        Items = [];
        Count = 0;
        s_pool.Return(this);
    }

    private static void ReturnArray(T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array, s_clearOnReturn);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddWithGrow(T item)
    {
        EnsureCapacity(Math.Max(16, Items.Length * 2));
        Items[Count++] = item;
    }
}

/// <summary>A batch that a sink can acknowledge through a <see cref="Connectors.SinkAcknowledgement"/>.</summary>
internal interface IAcknowledgeable
{
    void Acknowledge(int generation);
}
