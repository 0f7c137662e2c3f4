using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Internal.Runtime;

/// <summary>Fused per-record operators in one ActionBlock: one worker, or several with no order kept.</summary>
internal sealed class FusedNode<TIn, TOut>
{
    public FusedNode(SegmentSpec spec, BatchTarget<TOut> output, RunContext run, BlockCounters? counters)
    {
        var gate = NodeBlocks.ByteGate(spec.CapacityBytes);
        var worker = new SegmentWorker<TIn, TOut>(spec, output, run, gate, spec.DegreeOfParallelism, counters);
        var block = new ActionBlock<Batch<TIn>>(
            worker.ProcessAsync,
            NodeBlocks.Options(run, spec.BoundedCapacity, spec.DegreeOfParallelism, ensureOrdered: false));
        run.Track(block.Completion);
        NodeBlocks.CompleteOnSuccess(block.Completion, output);
        counters?.ObserveQueue(() => block.InputCount);
        Input = new BlockTarget<TIn>(block, gate, counters);
    }

    public BatchTarget<TIn> Input { get; }
}
