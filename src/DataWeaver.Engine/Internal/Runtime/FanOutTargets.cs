using DataWeaver.Diagnostics.Internal;

namespace DataWeaver.Internal.Runtime;

/// <summary>Every branch gets every record: branches after the first get a copy of the batch sharing its resources.</summary>
internal sealed class BroadcastTarget<T>(BatchTarget<T>[] branches, BlockCounters? counters) : BatchTarget<T>
{
    public override async ValueTask SendAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        counters?.Pass(batch.Count);
        // Copy first: once the original is sent, it belongs to its branch.
        var copies = new Batch<T>[branches.Length - 1];
        for (var i = 0; i < copies.Length; i++)
        {
            var copy = Batch<T>.Rent(batch.Count);
            batch.Span.CopyTo(copy.Items);
            copy.Count = batch.Count;
            copy.Bytes = batch.Bytes;
            batch.ShareResourcesWith(copy);
            copies[i] = copy;
        }

        await branches[0].SendAsync(batch, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < copies.Length; i++)
        {
            await branches[i + 1].SendAsync(copies[i], cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Complete()
    {
        foreach (var branch in branches)
        {
            branch.Complete();
        }
    }
}

/// <summary>Each record takes the first branch whose predicate holds (a null predicate always holds); others are dropped and counted.</summary>
internal sealed class RouteTarget<T>(BatchTarget<T>[] branches, Func<T, bool>?[] predicates, RunContext run, string stage, BlockCounters? counters) : BatchTarget<T>
{
    public override async ValueTask SendAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        counters?.Pass(batch.Count);
        var parts = new Batch<T>?[branches.Length];
        var unrouted = 0;
        var items = batch.Items;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = items[i];
            var branch = Choose(item);
            if (branch < 0)
            {
                unrouted++;
            }
            else
            {
                (parts[branch] ??= Batch<T>.Rent(batch.Count)).Add(item);
            }
        }

        foreach (var part in parts)
        {
            if (part is not null)
            {
                batch.ShareResourcesWith(part);
                part.Bytes = batch.Bytes * part.Count / batch.Count;
            }
        }

        if (unrouted > 0)
        {
            run.AddUnrouted(unrouted, stage);
        }

        batch.Release();
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] is { } part)
            {
                await branches[i].SendAsync(part, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override void Complete()
    {
        foreach (var branch in branches)
        {
            branch.Complete();
        }
    }

    private int Choose(T item)
    {
        for (var i = 0; i < predicates.Length; i++)
        {
            if (predicates[i] is not { } predicate || predicate(item))
            {
                return i;
            }
        }

        return -1;
    }
}
