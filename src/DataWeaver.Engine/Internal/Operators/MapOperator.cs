using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

internal sealed class MapOperator<TIn, TOut>(Func<TIn, TOut> selector, RecordErrorHandler? errors) : BatchOperator(errors)
{
    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var count = source.Count;
        var i = 0;
        if (typeof(TIn) == typeof(TOut))
        {
            // Same type: map in place, no second array.
            var items = source.Items;
            var same = (Func<TIn, TIn>)(object)selector;
            try
            {
                for (; i < count; i++)
                {
                    items[i] = same(items[i]);
                }

                return new(source);
            }
            catch (Exception error) when (Errors is not null)
            {
                return InPlaceSlowAsync(source, i, error, same);
            }
        }

        var output = Batch<TOut>.Rent(count);
        var from = source.Items;
        var to = output.Items;
        try
        {
            for (; i < count; i++)
            {
                to[i] = selector(from[i]);
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return ReplaceSlowAsync(source, output, i, error, selector);
        }

        output.Count = count;
        return new(Replace(source, output));
    }

    private async ValueTask<IBatch?> InPlaceSlowAsync(Batch<TIn> source, int failedAt, Exception error, Func<TIn, TIn> map) =>
        Compact(source, await MapSlowAsync(source, source.Items, failedAt, error, map).ConfigureAwait(false));

    private async ValueTask<IBatch?> ReplaceSlowAsync(Batch<TIn> source, Batch<TOut> output, int failedAt, Exception error, Func<TIn, TOut> map)
    {
        output.Count = await MapSlowAsync(source, output.Items, failedAt, error, map).ConfigureAwait(false);
        return Replace(source, output);
    }
}

internal sealed class StructMapOperator<TIn, TOut, TOperator>(TOperator op, RecordErrorHandler? errors) : BatchOperator(errors)
    where TOperator : struct, IMapOperator<TIn, TOut>
{
#pragma warning disable IDE0044 // Not readonly: a readonly struct field would be copied on every call, and operators may keep state.
    private TOperator _op = op;
#pragma warning restore IDE0044

    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var count = source.Count;
        var src = source.Items;
        var i = 0;
        if (typeof(TIn) == typeof(TOut))
        {
            var items = (TOut[])(object)src;
            try
            {
                for (; i < count; i++)
                {
                    items[i] = _op.Map(src[i]);
                }

                return new(source);
            }
            catch (Exception error) when (Errors is not null)
            {
                return InPlaceSlowAsync(source, items, i, error);
            }
        }

        var output = Batch<TOut>.Rent(count);
        var dst = output.Items;
        try
        {
            for (; i < count; i++)
            {
                dst[i] = _op.Map(src[i]);
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return ReplaceSlowAsync(source, output, i, error);
        }

        output.Count = count;
        return new(Replace(source, output));
    }

    private async ValueTask<IBatch?> InPlaceSlowAsync(Batch<TIn> source, TOut[] items, int failedAt, Exception error) =>
        Compact(source, await MapSlowAsync(source, items, failedAt, error, x => _op.Map(x)).ConfigureAwait(false));

    private async ValueTask<IBatch?> ReplaceSlowAsync(Batch<TIn> source, Batch<TOut> output, int failedAt, Exception error)
    {
        output.Count = await MapSlowAsync(source, output.Items, failedAt, error, x => _op.Map(x)).ConfigureAwait(false);
        return Replace(source, output);
    }
}
