using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

internal sealed class FilterOperator<T>(Func<T, bool> predicate) : BatchOperator
{
    public override IBatch? Apply(IBatch input)
    {
        var batch = (Batch<T>)input;
        var items = batch.Items;
        var count = batch.Count;
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            var item = items[i];
            if (predicate(item))
            {
                items[kept++] = item;
            }
        }

        return Compact(batch, kept);
    }

    internal static IBatch? Compact(Batch<T> batch, int kept)
    {
        var count = batch.Count;
        if (kept == 0)
        {
            batch.Release();
            return null;
        }

        if (kept != count)
        {
            batch.Bytes = batch.Bytes * kept / count;
            batch.Count = kept;
        }

        return batch;
    }
}

internal sealed class StructFilterOperator<T, TOperator>(TOperator op) : BatchOperator
    where TOperator : struct, IFilterOperator<T>
{
#pragma warning disable IDE0044 // Not readonly: a readonly struct field would be copied on every call, and operators may keep state.
    private TOperator _op = op;
#pragma warning restore IDE0044

    public override IBatch? Apply(IBatch input)
    {
        var batch = (Batch<T>)input;
        var items = batch.Items;
        var count = batch.Count;
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            var item = items[i];
            if (_op.Include(item))
            {
                items[kept++] = item;
            }
        }

        return FilterOperator<T>.Compact(batch, kept);
    }
}
