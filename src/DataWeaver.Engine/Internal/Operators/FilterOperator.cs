using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

internal sealed class FilterOperator<T>(Func<T, bool> predicate, RecordErrorHandler? errors) : BatchOperator(errors)
{
    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var batch = (Batch<T>)input;
        var items = batch.Items;
        var count = batch.Count;
        var kept = 0;
        var i = 0;
        try
        {
            for (; i < count; i++)
            {
                var item = items[i];
                if (predicate(item))
                {
                    items[kept++] = item;
                }
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return FilterSlowAsync(batch, kept, i, error, predicate);
        }

        Run?.AddFiltered(count - kept);
        return new(Compact(batch, kept));
    }
}

internal sealed class StructFilterOperator<T, TOperator>(TOperator op, RecordErrorHandler? errors) : BatchOperator(errors)
    where TOperator : struct, IFilterOperator<T>
{
#pragma warning disable IDE0044 // Not readonly: a readonly struct field would be copied on every call, and operators may keep state.
    private TOperator _op = op;
#pragma warning restore IDE0044

    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var batch = (Batch<T>)input;
        var items = batch.Items;
        var count = batch.Count;
        var kept = 0;
        var i = 0;
        try
        {
            for (; i < count; i++)
            {
                var item = items[i];
                if (_op.Include(item))
                {
                    items[kept++] = item;
                }
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return FilterSlowAsync(batch, kept, i, error, x => _op.Include(x));
        }

        Run?.AddFiltered(count - kept);
        return new(Compact(batch, kept));
    }
}
