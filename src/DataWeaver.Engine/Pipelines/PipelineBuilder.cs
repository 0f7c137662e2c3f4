using DataWeaver.Connectors;
using DataWeaver.Internal.Operators;
using DataWeaver.Internal.Plan;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Pipelines;

/// <summary>
/// Describes a pipeline step by step, from <see cref="Pipeline.From{T}"/> to <see cref="To"/> and
/// <see cref="Build"/>. Per-record steps (<see cref="Map{TOut}(Func{T, TOut}, string?)"/>,
/// <see cref="Filter(Func{T, bool}, string?)"/>, <see cref="FlatMap{TOut}"/>) that follow each other are fused
/// into one block; <see cref="Stage"/>, <see cref="Parallel"/>, <see cref="ParallelByKey{TKey}"/> and
/// <see cref="Batch"/> start a new block. A builder can be built once.
/// </summary>
/// <typeparam name="T">The record type at this point of the pipeline.</typeparam>
public sealed class PipelineBuilder<T>
{
    private readonly BuilderState _state;
    private readonly BranchState _branch;

    internal PipelineBuilder(BuilderState state, BranchState branch)
    {
        _state = state;
        _branch = branch;
    }

    /// <summary>Transforms each record. Fused with neighbouring per-record steps. MUST NOT block; MUST be thread-safe in parallel stages.</summary>
    /// <typeparam name="TOut">The output record type.</typeparam>
    /// <param name="selector">The transform.</param>
    /// <param name="name">The step name in graphs and errors; <see langword="null"/> makes one (<c>map3</c>).</param>
    /// <returns>The builder, now of <typeparamref name="TOut"/>.</returns>
    public PipelineBuilder<TOut> Map<TOut>(Func<T, TOut> selector, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return Next<TOut>(new OperatorDefinition<MapOperator<T, TOut>>("map", name, errors => new MapOperator<T, TOut>(selector, errors)));
    }

    /// <summary>
    /// Transforms each record with a struct operator, which the JIT specializes and inlines into the block's
    /// loop: the fastest way to write a map. Each worker gets its own copy of <paramref name="op"/>.
    /// </summary>
    /// <typeparam name="TOut">The output record type.</typeparam>
    /// <typeparam name="TOperator">The operator type.</typeparam>
    /// <param name="op">The operator.</param>
    /// <param name="name">The step name; <see langword="null"/> makes one.</param>
    /// <returns>The builder, now of <typeparamref name="TOut"/>.</returns>
    public PipelineBuilder<TOut> Map<TOut, TOperator>(TOperator op, string? name = null)
        where TOperator : struct, IMapOperator<T, TOut> =>
        Next<TOut>(new OperatorDefinition<StructMapOperator<T, TOut, TOperator>>("map", name, errors => new StructMapOperator<T, TOut, TOperator>(op, errors), new StructMapStep<T, TOut, TOperator>(op)));

    /// <summary>Keeps the records for which <paramref name="predicate"/> holds; the others count as handled (acknowledged).</summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="name">The step name; <see langword="null"/> makes one.</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> Filter(Func<T, bool> predicate, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Next<T>(new OperatorDefinition<FilterOperator<T>>("filter", name, errors => new FilterOperator<T>(predicate, errors)));
    }

    /// <summary>Keeps records with a struct predicate the JIT specializes and inlines. Each worker gets its own copy.</summary>
    /// <typeparam name="TOperator">The operator type.</typeparam>
    /// <param name="op">The operator.</param>
    /// <param name="name">The step name; <see langword="null"/> makes one.</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> Filter<TOperator>(TOperator op, string? name = null)
        where TOperator : struct, IFilterOperator<T> =>
        Next<T>(new OperatorDefinition<StructFilterOperator<T, TOperator>>("filter", name, errors => new StructFilterOperator<T, TOperator>(op, errors), new StructFilterStep<T, TOperator>(op)));

    /// <summary>Turns each record into zero or more records, in order. A record that yields none counts as handled.</summary>
    /// <typeparam name="TOut">The output record type.</typeparam>
    /// <param name="selector">The expansion.</param>
    /// <param name="name">The step name; <see langword="null"/> makes one.</param>
    /// <returns>The builder, now of <typeparamref name="TOut"/>.</returns>
    public PipelineBuilder<TOut> FlatMap<TOut>(Func<T, IEnumerable<TOut>> selector, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return Next<TOut>(new OperatorDefinition<FlatMapOperator<T, TOut>>("flatmap", name, errors => new FlatMapOperator<T, TOut>(selector, errors)));
    }

    /// <summary>Starts a new block with the given options; the per-record steps that follow are fused into it.</summary>
    /// <param name="options">Parallelism, ordering, capacity and name of the block.</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> Stage(StageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Next<T>(new StageBoundary<T>(options.DegreeOfParallelism > 1 ? "parallel" : "stage", options.Name, options));
    }

    /// <summary>
    /// Starts a new block whose per-record steps run on <paramref name="degree"/> workers.
    /// <see cref="StageOrdering.Ordered"/> (the default) emits records in input order.
    /// </summary>
    /// <param name="degree">The number of workers, from 1 to 256.</param>
    /// <param name="ordering">Ordered or unordered; use <see cref="ParallelByKey{TKey}"/> for key-ordered lanes.</param>
    /// <param name="options">Further options (capacity, name); degree and ordering given here win.</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> Parallel(int degree, StageOrdering ordering = StageOrdering.Ordered, StageOptions? options = null) =>
        Next<T>(new StageBoundary<T>("parallel", options?.Name, (options ?? StageOptions.Default) with { DegreeOfParallelism = degree, Ordering = ordering }));

    /// <summary>
    /// Starts a new block of <paramref name="degree"/> lanes: each record goes to the lane of its key, so
    /// records with equal keys keep their order while different keys run in parallel.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="degree">The number of lanes, from 1 to 256.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw.</param>
    /// <param name="options">Further options (capacity, name).</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> ParallelByKey<TKey>(int degree, Func<T, TKey> keySelector, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        return Next<T>(new KeyedBoundary<T, TKey>(options?.Name, (options ?? StageOptions.Default) with { DegreeOfParallelism = degree }, keySelector));
    }

    /// <summary>
    /// Re-cuts the stream into batches of <paramref name="size"/> records, or fewer once <paramref name="window"/>
    /// has passed since the batch's first record arrived. What follows (a sink's <c>WriteAsync</c>) gets these batches.
    /// </summary>
    /// <param name="size">Records per batch, from 1 to 1,000,000.</param>
    /// <param name="window">The longest a record waits for its batch to fill; <see langword="null"/> waits for a full batch (or the end).</param>
    /// <param name="options">Capacity and name of the block.</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> Batch(int size, TimeSpan? window = null, StageOptions? options = null) =>
        Next<T>(new BatchBoundary<T>(options?.Name, options ?? StageOptions.Default, size, window));

    /// <summary>Sends every record down every branch; each branch must end with a sink. This ends the current branch.</summary>
    /// <param name="branches">At least two branch descriptions, each ending with <see cref="To"/>.</param>
    /// <returns>The builder (call <see cref="Build"/> next).</returns>
    public PipelineBuilder<T> Broadcast(params Action<PipelineBuilder<T>>[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        List<BranchState> states = [];
        foreach (var describe in branches)
        {
            ArgumentNullException.ThrowIfNull(describe);
            var branch = new BranchState();
            describe(new PipelineBuilder<T>(_state, branch));
            states.Add(branch);
        }

        return Next<T>(new BroadcastDefinition<T>(null, states));
    }

    /// <summary>
    /// Sends each record down the first branch whose condition holds (see <see cref="RouteBuilder{T}"/>).
    /// Records that match no branch and find no Otherwise branch are dropped, acknowledged and counted in
    /// <see cref="PipelineStatistics.RecordsUnrouted"/>. This ends the current branch.
    /// </summary>
    /// <param name="routes">Describes the branches.</param>
    /// <returns>The builder (call <see cref="Build"/> next).</returns>
    public PipelineBuilder<T> Route(Action<RouteBuilder<T>> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var builder = new RouteBuilder<T>(_state);
        routes(builder);
        return Next<T>(new RouteDefinition<T>(null, builder.Routes));
    }

    /// <summary>Writes the records to <paramref name="sink"/>. This ends the branch.</summary>
    /// <param name="sink">The sink connector; one instance per pipeline branch.</param>
    /// <param name="options">Degree of parallelism (writes in parallel lose order), capacity and name of the sink's block.</param>
    /// <returns>The builder (call <see cref="Build"/> next).</returns>
    public PipelineBuilder<T> To(SinkConnector<T> sink, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return Next<T>(new SinkDefinition<T>(sink, options ?? StageOptions.Default));
    }

    /// <summary>
    /// Sets the error policy of the step just added (a map, filter, flat-map, async map, window or sink): retry transient errors,
    /// then dead-letter, skip or fail. Steps without one use <see cref="PipelineOptions.ErrorPolicy"/>. Right after
    /// <see cref="Pipeline.From{T}"/>, it sets the policy of the records the source rejects (an oversized line).
    /// </summary>
    /// <param name="policy">The policy.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The step just added is not a map, filter, flat-map, async map, window or sink.</exception>
    public PipelineBuilder<T> OnError(ErrorPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _state.EnsureNotBuilt();
        var last = _branch.Stages.Count > 0 ? _branch.Stages[^1] : null;
        if (last is null && ReferenceEquals(_branch, _state.Root))
        {
            // Right after From: the policy of the records the source rejects.
            _state.SourcePolicy = policy;
            return this;
        }

        if (last is null || !last.AcceptsErrorPolicy)
        {
            throw new InvalidOperationException($"OnError sets the policy of the step just added, which must be a Map, Filter, FlatMap, MapAsync, a window or To(sink); here it follows {(last is null ? "the source" : $"'{last.DisplayName}'")}.");
        }

        last.Policy = policy;
        return this;
    }

    /// <summary>Describes and sets the error policy of the step just added; see <see cref="OnError(ErrorPolicy)"/>.</summary>
    /// <param name="describe">Describes the policy, e.g. <c>e => e.Retry(3).DeadLetterTo(dlq)</c>.</param>
    /// <returns>The builder.</returns>
    public PipelineBuilder<T> OnError(Action<ErrorPolicyBuilder> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        var builder = ErrorPolicy.Create();
        describe(builder);
        return OnError(builder.Build());
    }

    /// <summary>Validates the whole pipeline and compiles it. Can be called once per builder.</summary>
    /// <returns>The immutable pipeline.</returns>
    /// <exception cref="Errors.PipelineConfigurationException">The pipeline is invalid; every problem is listed, naming its stage.</exception>
    public Pipeline Build() => _state.Build();

    internal static PipelineBuilder<T> Create(SourceConnector<T> source, PipelineOptions options)
    {
        var state = new BuilderState(options, source, (state, context) =>
        {
            List<OperatorDefinition> head = source.OverridesProcess
                ? [new OperatorDefinition<MapOperator<T, T>>("process", "process", errors => new MapOperator<T, T>(source.Process, errors)) { Index = 0 }]
                : [];
            return new SourcePlan<T>(source, (PlanNode<T>)context.CompileBranch<T>(state.Root, head), state.SourcePolicy);
        });
        return new PipelineBuilder<T>(state, state.Root);
    }

    /// <summary>Adds a stage defined outside this file (the stateful operators' folders).</summary>
    internal PipelineBuilder<TOut> Then<TOut>(StageDefinition stage) => Next<TOut>(stage);

    private PipelineBuilder<TOut> Next<TOut>(StageDefinition stage)
    {
        _state.Add(_branch, stage);
        return new PipelineBuilder<TOut>(_state, _branch);
    }
}
