using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

internal sealed class BatchPlan<T>(BatchBoundary<T> definition, PlanNode<T> next, PipelineOptions options) : PlanNode<T>
{
    private readonly int _capacityRecords = definition.Options.Capacity ?? options.DefaultStageCapacity;

    public override BatchTarget<T> Instantiate(RunContext run) =>
        new BatchingNode<T>(
            definition.DisplayName,
            definition.Size,
            definition.Window,
            Bounds.BlockCapacity(_capacityRecords, options.BatchSize, 1),
            next.Instantiate(run),
            run,
            run.Metrics?.Block(this)).Input;

    public override string Describe(GraphWriter writer)
    {
        var id = writer.AddBlock(new GraphBlock
        {
            Name = definition.DisplayName,
            Kind = GraphBlockKind.Batch,
            Operators = [definition.Window is { } w ? $"batch(size {definition.Size}, window {w.TotalMilliseconds} ms)" : $"batch(size {definition.Size})"],
            DegreeOfParallelism = 1,
            Ordering = StageOrdering.Ordered,
            BoundedCapacity = Bounds.BlockCapacity(_capacityRecords, options.BatchSize, 1),
            CapacityRecords = _capacityRecords,
            Dataflow = "ActionBlock",
        }, owner: this);
        writer.AddEdge(id, next.Describe(writer), label: null);
        return id;
    }
}
