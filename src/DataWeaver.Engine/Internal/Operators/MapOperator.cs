using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

internal sealed class MapOperator<TIn, TOut>(Func<TIn, TOut> selector, RecordErrorHandler? errors) : BatchOperator(errors)
{
    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var count = source.Count;

        // `at` is only written in the loop and read by the handler; the loop's own index stays in a register
        // (a variable the handler reads lives on the stack, and a loop counting on it pays a store-to-load
        // round trip per record).
        var at = 0;
        if (typeof(TIn) == typeof(TOut))
        {
            // Same type: map in place, no second array.
            var items = source.Items.AsSpan(0, count);
            var same = (Func<TIn, TIn>)(object)selector;
            try
            {
                for (var i = 0; i < items.Length; i++)
                {
                    at = i;
                    items[i] = same(items[i]);
                }

                return new(source);
            }
            catch (Exception error) when (Errors is not null)
            {
                return InPlaceSlowAsync(source, at, error, same);
            }
        }

        var output = Batch<TOut>.Rent(count);
        var from = source.Items.AsSpan(0, count);
        var to = output.Items.AsSpan(0, count);
        try
        {
            for (var i = 0; i < from.Length; i++)
            {
                at = i;
                to[i] = selector(from[i]);
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return ReplaceSlowAsync(source, output, at, error, selector);
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
        var src = source.Items.AsSpan(0, count);
        var at = 0; // as in MapOperator: written in the loop, read only by the handler
        if (typeof(TIn) == typeof(TOut))
        {
            var items = (TOut[])(object)source.Items;
            var span = items.AsSpan(0, count);
            try
            {
                for (var i = 0; i < span.Length; i++)
                {
                    at = i;
                    span[i] = _op.Map(src[i]);
                }

                return new(source);
            }
            catch (Exception error) when (Errors is not null)
            {
                return InPlaceSlowAsync(source, items, at, error);
            }
        }

        var output = Batch<TOut>.Rent(count);
        var dst = output.Items.AsSpan(0, count);
        try
        {
            for (var i = 0; i < src.Length; i++)
            {
                at = i;
                dst[i] = _op.Map(src[i]);
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return ReplaceSlowAsync(source, output, at, error);
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
