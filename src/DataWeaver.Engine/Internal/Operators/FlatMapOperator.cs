namespace DataWeaver.Internal.Operators;

internal sealed class FlatMapOperator<TIn, TOut>(Func<TIn, IEnumerable<TOut>> selector) : BatchOperator
{
    public override IBatch? Apply(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var output = Batch<TOut>.Rent(source.Count);
        var items = source.Items;
        for (var i = 0; i < source.Count; i++)
        {
            foreach (var produced in selector(items[i]))
            {
                output.Add(produced);
            }
        }

        return Replace(source, output);
    }
}
