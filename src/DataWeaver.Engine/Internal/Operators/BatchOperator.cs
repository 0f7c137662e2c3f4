namespace DataWeaver.Internal.Operators;

/// <summary>A per-record operator applied to a whole batch at a time, inside a fused block.</summary>
internal abstract class BatchOperator
{
    /// <summary>
    /// Applies the operator. Returns the output batch (possibly the input itself), or <see langword="null"/>
    /// when no record is left, in which case the input was released (its records count as handled).
    /// </summary>
    public abstract IBatch? Apply(IBatch input);

    /// <summary>Gives the output batch of a type-changing operator the input's records, resources and byte estimate.</summary>
    /// <returns>The output batch, or <see langword="null"/> (and the output released) when it holds no record.</returns>
    protected static IBatch? Replace<TIn, TOut>(Batch<TIn> input, Batch<TOut> output)
    {
        output.Bytes = input.Bytes;
        input.MoveResourcesTo(output);
        input.Recycle();
        if (output.Count == 0)
        {
            output.Release();
            return null;
        }

        return output;
    }
}
