using DataWeaver.Internal.Runtime;

namespace DataWeaver.Internal.Plan;

/// <summary>A node of the compiled plan: what becomes one or more Dataflow blocks (or a fan-out) when the pipeline starts.</summary>
internal abstract class PlanNode
{
    /// <summary>Creates the block of fused operators that feeds this node (double dispatch: this node knows its input type).</summary>
    public abstract PlanNode CreateSegment<TIn>(SegmentSpec spec);

    /// <summary>Adds this node and everything after it to the description; returns this node's block id.</summary>
    public abstract string Describe(GraphWriter writer);
}

/// <summary>A plan node that receives batches of <typeparamref name="T"/>.</summary>
internal abstract class PlanNode<T> : PlanNode
{
    public sealed override PlanNode CreateSegment<TIn>(SegmentSpec spec) => new SegmentPlan<TIn, T>(spec, this);

    /// <summary>Creates the node's blocks for one run; returns where upstream sends its batches.</summary>
    public abstract BatchTarget<T> Instantiate(RunContext run);
}
