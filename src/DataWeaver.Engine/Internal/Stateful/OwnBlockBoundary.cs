using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Plan;
using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Stateful;

/// <summary>
/// A stage that runs in a block of its own (an async map, a de-duplication, a window): it starts a new block, and the
/// per-record steps that follow it are fused into one block after it, as after a batch stage.
/// </summary>
/// <typeparam name="TIn">The records it takes.</typeparam>
/// <typeparam name="TOut">The records it emits.</typeparam>
internal abstract class OwnBlockBoundary<TIn, TOut>(string kind, string? name, int? capacity)
    : BoundaryDefinition(kind, name, new StageOptions { Name = name, Capacity = capacity })
{
    public override bool AcceptsErrorPolicy => true;

    /// <summary>Gets the block's operator as graphs show it, e.g. <c>mapAsync(concurrency 16, ordered)</c>.</summary>
    public abstract string Describe();

    /// <summary>Creates the stage's node for one run; returns its input.</summary>
    public abstract BatchTarget<TIn> Instantiate(BatchTarget<TOut> next, int boundedCapacity, RunContext run, BlockCounters? counters);

    public sealed override PlanNode Compile(IReadOnlyList<OperatorDefinition> operators, PlanNode next, PipelineOptions options)
    {
        var after = operators.Count == 0
            ? next
            : next.CreateSegment<TOut>(new SegmentSpec(operators[0].DisplayName, operators, StageOptions.Default, partitioner: null, options));
        return new OwnBlockPlan<TIn, TOut>(this, (PlanNode<TOut>)after, options);
    }
}

/// <summary>The compiled form of an <see cref="OwnBlockBoundary{TIn, TOut}"/>.</summary>
internal sealed class OwnBlockPlan<TIn, TOut>(OwnBlockBoundary<TIn, TOut> definition, PlanNode<TOut> next, PipelineOptions options) : PlanNode<TIn>
{
    private readonly int _capacityRecords = definition.Options.Capacity ?? options.DefaultStageCapacity;

    private int BoundedCapacity => Bounds.BlockCapacity(_capacityRecords, options.BatchSize, 1);

    public override BatchTarget<TIn> Instantiate(RunContext run) =>
        definition.Instantiate(next.Instantiate(run), BoundedCapacity, run, run.Metrics?.Block(this));

    public override string Describe(GraphWriter writer)
    {
        var id = writer.AddBlock(new GraphBlock
        {
            Name = definition.DisplayName,
            Kind = GraphBlockKind.Transform,
            Operators = [definition.Describe()],
            DegreeOfParallelism = 1,
            Ordering = StageOrdering.Ordered,
            BoundedCapacity = BoundedCapacity,
            CapacityRecords = _capacityRecords,
            Dataflow = "ActionBlock",
        }, owner: this);
        writer.AddEdge(id, next.Describe(writer), label: null);
        return id;
    }
}
