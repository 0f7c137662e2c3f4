using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>A block of fused per-record operators taking <typeparamref name="TIn"/> and producing <typeparamref name="TOut"/>.</summary>
internal sealed class SegmentPlan<TIn, TOut>(SegmentSpec spec, PlanNode<TOut> next) : PlanNode<TIn>
{
    public override BatchTarget<TIn> Instantiate(RunContext run)
    {
        var output = next.Instantiate(run);
        var counters = run.Metrics?.Block(this);
        return spec switch
        {
            { Ordering: StageOrdering.KeyOrdered } => new KeyedLanesNode<TIn, TOut>(spec, output, run, counters).Input,
            { Ordering: StageOrdering.Ordered, DegreeOfParallelism: > 1 } => new OrderedParallelNode<TIn, TOut>(spec, output, run, counters).Input,
            _ => new FusedNode<TIn, TOut>(spec, output, run, counters).Input,
        };
    }

    public override string Describe(GraphWriter writer)
    {
        var id = writer.AddBlock(new GraphBlock
        {
            Name = spec.Name,
            Kind = GraphBlockKind.Transform,
            Operators = [.. spec.Operators.Select(static o => o.DisplayName)],
            DegreeOfParallelism = spec.DegreeOfParallelism,
            Ordering = spec.Ordering,
            BoundedCapacity = spec.BoundedCapacity,
            CapacityRecords = spec.CapacityRecords,
            CapacityBytes = spec.CapacityBytes,
            Dataflow = spec switch
            {
                { Ordering: StageOrdering.KeyOrdered } => $"{spec.DegreeOfParallelism} x ActionBlock (one per lane)",
                { Ordering: StageOrdering.Ordered, DegreeOfParallelism: > 1 } => "TransformBlock (EnsureOrdered) -> ActionBlock",
                _ => "ActionBlock",
            },
        }, owner: this);
        writer.AddEdge(id, next.Describe(writer), label: null);
        return id;
    }
}
