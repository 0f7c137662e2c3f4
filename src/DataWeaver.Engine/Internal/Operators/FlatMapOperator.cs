using DataWeaver.Internal.Runtime;

namespace DataWeaver.Internal.Operators;

internal sealed class FlatMapOperator<TIn, TOut>(Func<TIn, IEnumerable<TOut>> selector, RecordErrorHandler? errors) : BatchOperator(errors)
{
    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var output = Batch<TOut>.Rent(source.Count);
        var items = source.Items;
        var i = 0;
        var mark = 0;
        try
        {
            for (; i < source.Count; i++)
            {
                mark = output.Count;
                foreach (var produced in selector(items[i]))
                {
                    output.Add(produced);
                }
            }
        }
        catch (Exception error) when (Errors is not null)
        {
            return SlowAsync(source, output, i, error, mark);
        }

        return new(Replace(source, output));
    }

    /// <summary>
    /// A record's outputs are taken all or nothing: the failed record's partial outputs are removed, and each
    /// retry materializes the whole expansion before any of it is kept.
    /// </summary>
    private async ValueTask<IBatch?> SlowAsync(Batch<TIn> source, Batch<TOut> output, int failedAt, Exception first, int outputsBefore)
    {
        output.Count = outputsBefore;
        var expand = (TIn record) => selector(record).ToList();
        var items = source.Items;
        for (var i = failedAt; i < source.Count; i++)
        {
            List<TOut> produced;
            bool ok;
            if (i == failedAt)
            {
                (ok, produced) = await Errors!.HandleAsync(items[i], first, expand, source).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    produced = expand(items[i]);
                    ok = true;
                }
                catch (Exception error)
                {
                    (ok, produced) = await Errors!.HandleAsync(items[i], error, expand, source).ConfigureAwait(false);
                }
            }

            if (ok)
            {
                foreach (var item in produced)
                {
                    output.Add(item);
                }
            }
        }

        await Errors!.FlushAsync(source).ConfigureAwait(false);
        return Replace(source, output);
    }
}
