using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

internal sealed class MapOperator<TIn, TOut>(Func<TIn, TOut> selector) : BatchOperator
{
    public override IBatch? Apply(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var count = source.Count;
        if (typeof(TIn) == typeof(TOut))
        {
            // Same type: map in place, no second array.
            var items = source.Items;
            var same = (Func<TIn, TIn>)(object)selector;
            for (var i = 0; i < count; i++)
            {
                items[i] = same(items[i]);
            }

            return source;
        }

        var output = Batch<TOut>.Rent(count);
        var from = source.Items;
        var to = output.Items;
        for (var i = 0; i < count; i++)
        {
            to[i] = selector(from[i]);
        }

        output.Count = count;
        return Replace(source, output);
    }
}

internal sealed class StructMapOperator<TIn, TOut, TOperator>(TOperator op) : BatchOperator
    where TOperator : struct, IMapOperator<TIn, TOut>
{
#pragma warning disable IDE0044 // Not readonly: a readonly struct field would be copied on every call, and operators may keep state.
    private TOperator _op = op;
#pragma warning restore IDE0044

    public override IBatch? Apply(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var count = source.Count;
        if (typeof(TIn) == typeof(TOut))
        {
            var items = (TOut[])(object)source.Items;
            var from = source.Items;
            for (var i = 0; i < count; i++)
            {
                items[i] = _op.Map(from[i]);
            }

            return source;
        }

        var output = Batch<TOut>.Rent(count);
        var src = source.Items;
        var dst = output.Items;
        for (var i = 0; i < count; i++)
        {
            dst[i] = _op.Map(src[i]);
        }

        output.Count = count;
        return Replace(source, output);
    }
}
