using System.Runtime.CompilerServices;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

/// <summary>
/// One per-record step of a fused chain (<see cref="FusedChainOperator{TIn, TOut, TChain}"/>): a struct map, a struct filter,
/// or two steps one after the other (<see cref="Then{TIn, TMid, TOut, TFirst, TSecond}"/>). Implemented by
/// structs, so a chain is one struct type the JIT specializes and inlines into a single loop over the batch.
/// </summary>
internal interface IRecordStep<TIn, TOut>
{
    /// <summary>Applies the step; <see langword="false"/> when the record is filtered out (<paramref name="output"/> is then meaningless).</summary>
    bool Apply(TIn input, out TOut output);
}

/// <summary>A struct map operator as a step.</summary>
#pragma warning disable IDE0044 // Not readonly: a readonly struct field would be copied on every call, and operators may keep state.
internal struct MapStep<TIn, TOut, TOperator>(TOperator op) : IRecordStep<TIn, TOut>
    where TOperator : struct, IMapOperator<TIn, TOut>
{
    private TOperator _op = op;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Apply(TIn input, out TOut output)
    {
        output = _op.Map(input);
        return true;
    }
}

/// <summary>A struct filter operator as a step.</summary>
internal struct FilterStep<T, TOperator>(TOperator op) : IRecordStep<T, T>
    where TOperator : struct, IFilterOperator<T>
{
    private TOperator _op = op;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Apply(T input, out T output)
    {
        output = input;
        return _op.Include(input);
    }
}

/// <summary>Two steps one after the other: the second sees only what the first kept.</summary>
internal struct Then<TIn, TMid, TOut, TFirst, TSecond>(TFirst first, TSecond second) : IRecordStep<TIn, TOut>
    where TFirst : struct, IRecordStep<TIn, TMid>
    where TSecond : struct, IRecordStep<TMid, TOut>
{
    private TFirst _first = first;
    private TSecond _second = second;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Apply(TIn input, out TOut output)
    {
        if (_first.Apply(input, out var middle))
        {
            return _second.Apply(middle, out output);
        }

        output = default!;
        return false;
    }
}
#pragma warning restore IDE0044
