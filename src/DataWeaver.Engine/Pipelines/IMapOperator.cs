namespace DataWeaver.Pipelines;

/// <summary>
/// A map written as a struct, so the JIT specializes and inlines it into the block's loop
/// (see <see cref="PipelineBuilder{T}.Map{TOut, TOperator}(TOperator, string?)"/>). MUST NOT block.
/// </summary>
/// <typeparam name="TIn">The input type.</typeparam>
/// <typeparam name="TOut">The output type.</typeparam>
public interface IMapOperator<TIn, TOut>
{
    /// <summary>Maps one record.</summary>
    /// <param name="value">The record.</param>
    /// <returns>The mapped record.</returns>
    TOut Map(TIn value);
}

/// <summary>
/// A filter written as a struct, so the JIT specializes and inlines it into the block's loop
/// (see <see cref="PipelineBuilder{T}.Filter{TOperator}(TOperator, string?)"/>). MUST NOT block.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IFilterOperator<T>
{
    /// <summary>Decides whether a record goes on.</summary>
    /// <param name="value">The record.</param>
    /// <returns><see langword="true"/> to keep the record.</returns>
    bool Include(T value);
}
