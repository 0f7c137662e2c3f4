using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Several workers whose output leaves in input order: a TransformBlock with EnsureOrdered runs the operators
/// in parallel, and a single forwarder sends the results on in order.
/// </summary>
internal sealed class OrderedParallelNode<TIn, TOut>
{
    public OrderedParallelNode(SegmentSpec spec, BatchTarget<TOut> output, RunContext run, BlockCounters? counters)
    {
        var gate = NodeBlocks.ByteGate(spec.CapacityBytes);
        var worker = new SegmentWorker<TIn, TOut>(spec, output, run, gate, spec.DegreeOfParallelism, counters);
        var transform = new TransformBlock<Batch<TIn>, Batch<TOut>?>(
            async batch =>
            {
                try
                {
                    var bytes = batch.Bytes;
                    var result = await worker.ApplyTimedAsync(batch).ConfigureAwait(false);
                    worker.ReleaseGate(bytes);
                    return result;
                }
                catch (Exception exception)
                {
                    run.Fail(exception, spec.Name);
                    throw;
                }
            },
            NodeBlocks.Options(run, spec.BoundedCapacity, spec.DegreeOfParallelism, ensureOrdered: true));
        var forwarder = new ActionBlock<Batch<TOut>?>(
            batch => batch is null ? Task.CompletedTask : worker.ForwardAsync(batch),
            NodeBlocks.Options(run, spec.DegreeOfParallelism, 1));
        transform.LinkTo(forwarder, new DataflowLinkOptions { PropagateCompletion = true });
        run.Track(transform.Completion);
        run.Track(forwarder.Completion);
        NodeBlocks.CompleteOnSuccess(forwarder.Completion, output);
        counters?.ObserveQueue(() => transform.InputCount);
        Input = new BlockTarget<TIn>(transform, gate, counters);
    }

    public BatchTarget<TIn> Input { get; }
}
