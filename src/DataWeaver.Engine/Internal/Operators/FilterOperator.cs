using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

internal sealed class FilterOperator<T>(Func<T, bool> predicate, RecordErrorHandler? errors) : BatchOperator(errors)
{
    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var batch = (Batch<T>)input;
        var items = batch.Items.AsSpan(0, batch.Count);
        var count = items.Length;
        var kept = 0;

        // The handler reads only `at` and `keptAt`, written in the loop: the loop's own counters stay in registers.
        var at = 0;
        var keptAt = 0;
        try
        {
            for (var i = 0; i < items.Length; i++)
            {
                at = i;
                keptAt = kept;
                var item = items[i];
                if (predicate(item))
                {
                    items[kept++] = item;
                }
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return FilterSlowAsync(batch, keptAt, at, error, predicate);
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
        var items = batch.Items.AsSpan(0, batch.Count);
        var count = items.Length;
        var kept = 0;

        // The handler reads only `at` and `keptAt`, written in the loop: the loop's own counters stay in registers.
        var at = 0;
        var keptAt = 0;
        try
        {
            for (var i = 0; i < items.Length; i++)
            {
                at = i;
                keptAt = kept;
                var item = items[i];
                if (_op.Include(item))
                {
                    items[kept++] = item;
                }
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return FilterSlowAsync(batch, keptAt, at, error, x => _op.Include(x));
        }

        Run?.AddFiltered(count - kept);
        return new(Compact(batch, kept));
    }
}
