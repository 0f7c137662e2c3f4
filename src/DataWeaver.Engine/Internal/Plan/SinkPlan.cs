using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

internal sealed class SinkPlan<T>(SinkDefinition<T> definition, PipelineOptions options) : PlanNode<T>
{
    private readonly int _capacityRecords = definition.Options.Capacity ?? options.DefaultStageCapacity;

    private int BoundedCapacity => Bounds.BlockCapacity(_capacityRecords, options.BatchSize, definition.Options.DegreeOfParallelism);

    public override BatchTarget<T> Instantiate(RunContext run) =>
        new SinkNode<T>(definition.DisplayName, definition.Sink, definition.Options, definition.Policy ?? options.ErrorPolicy, BoundedCapacity, run, counters: run.Metrics?.Block(this)).Input;

    public override string Describe(GraphWriter writer)
    {
        List<string> operators = definition.Sink.OverridesProcess ? ["process", "write"] : ["write"];
        return writer.AddBlock(new GraphBlock
        {
            Name = definition.DisplayName,
            Kind = GraphBlockKind.Sink,
            Operators = operators,
            DegreeOfParallelism = definition.Options.DegreeOfParallelism,
            Ordering = definition.Options.DegreeOfParallelism == 1 ? StageOrdering.Ordered : StageOrdering.Unordered,
            BoundedCapacity = BoundedCapacity,
            CapacityRecords = _capacityRecords,
            CapacityBytes = definition.Options.CapacityBytes,
            Connector = GraphWriter.TypeName(definition.Sink.GetType()),
            Dataflow = "ActionBlock",
        }, owner: this);
    }
}
