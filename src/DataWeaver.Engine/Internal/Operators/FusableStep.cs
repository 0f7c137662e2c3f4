using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Operators;

/// <summary>
/// What a struct map or filter contributes to a fused chain: its step as a struct of a known type. Consecutive fusable
/// operators of a segment are composed, once per worker, into one <see cref="Then{TIn, TMid, TOut, TFirst, TSecond}"/>
/// struct by generic calls from step to step (each step knows its own types and the next step's input type), so the
/// chain's type is exact and its loop has no per-record interface or delegate call.
/// <para>
/// Maps and filters given as delegates do not fuse: in their own operator's loop, profile-guided optimization
/// inlines the delegate it sees there (measured: 4 identity lambdas in one fused loop took 7 CPU ns a record against
/// about 2 in 4 loops of their own, whose delegate calls are devirtualized).
/// </para>
/// </summary>
internal abstract class FusableStep
{
    /// <summary>Starts a chain with the step at <paramref name="index"/>, appending the following steps of the chain.</summary>
    public abstract BatchOperator Start(FusionChain chain, int index);
}

/// <summary>A step that can follow a chain producing <typeparamref name="TIn"/>.</summary>
internal interface IStepAppender<TIn>
{
    /// <summary>Appends the step at <paramref name="index"/> to <paramref name="prefix"/> (steps <c>chain.Start..index-1</c>), then the following ones.</summary>
    BatchOperator Append<TSegmentIn, TPrefix>(TPrefix prefix, FusionChain chain, int index)
        where TPrefix : struct, IRecordStep<TSegmentIn, TIn>;
}

/// <summary>A step of a given struct type.</summary>
internal abstract class FusableStep<TIn, TOut, TStep> : FusableStep, IStepAppender<TIn>
    where TStep : struct, IRecordStep<TIn, TOut>
{
    /// <summary>Creates the step of one worker (a struct operator is copied: each worker has its own).</summary>
    protected abstract TStep CreateStep();

    public override BatchOperator Start(FusionChain chain, int index) => Continue<TIn, TStep>(CreateStep(), chain, index);

    public BatchOperator Append<TSegmentIn, TPrefix>(TPrefix prefix, FusionChain chain, int index)
        where TPrefix : struct, IRecordStep<TSegmentIn, TIn> =>
        Continue<TSegmentIn, Then<TSegmentIn, TIn, TOut, TPrefix, TStep>>(new(prefix, CreateStep()), chain, index);

    private static BatchOperator Continue<TSegmentIn, TChain>(TChain steps, FusionChain chain, int index)
        where TChain : struct, IRecordStep<TSegmentIn, TOut>
    {
        var next = index + 1;
        return next < chain.End && chain.Steps[next] is IStepAppender<TOut> appender
            ? appender.Append<TSegmentIn, TChain>(steps, chain, next)
            : chain.Finish<TSegmentIn, TOut, TChain>(steps, next);
    }
}

internal sealed class StructMapStep<TIn, TOut, TOperator>(TOperator op) : FusableStep<TIn, TOut, MapStep<TIn, TOut, TOperator>>
    where TOperator : struct, IMapOperator<TIn, TOut>
{
    protected override MapStep<TIn, TOut, TOperator> CreateStep() => new(op);
}

internal sealed class StructFilterStep<T, TOperator>(TOperator op) : FusableStep<T, T, FilterStep<T, TOperator>>
    where TOperator : struct, IFilterOperator<T>
{
    protected override FilterStep<T, TOperator> CreateStep() => new(op);
}

/// <summary>
/// One chain being composed: the segment's steps (<see langword="null"/> where an operator does not fuse), where the
/// chain ends, and the operators it replaces (its fallback after a record fails under an error policy).
/// </summary>
internal sealed class FusionChain(IReadOnlyList<FusableStep?> steps, int start, int end, BatchOperator[] unfused, bool hasErrorPolicy)
{
    /// <summary>The longest chain: past it a new chain starts (deeply nested generic types cost JIT time and inlining budget).</summary>
    public const int MaxSteps = 8;

    public IReadOnlyList<FusableStep?> Steps { get; } = steps;

    public int End { get; } = end;

    /// <summary>Composes the chain: the fused operator of steps <c>start..End-1</c>.</summary>
    public BatchOperator Compose() => Steps[start]!.Start(this, start);

    /// <summary>Ends the chain after the steps composed so far (<paramref name="end"/> is where they stop).</summary>
    public BatchOperator Finish<TIn, TOut, TChain>(TChain steps, int end)
        where TChain : struct, IRecordStep<TIn, TOut> =>
        end != End
            ? throw new InvalidOperationException($"A fused chain stopped at step {end} instead of {End}: the steps' record types do not line up.")
            : new FusedChainOperator<TIn, TOut, TChain>(steps, unfused, hasErrorPolicy);
}
