using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Several workers whose output leaves in input order: a TransformBlock with EnsureOrdered runs the operators
/// in parallel, and a single forwarder sends the results on in order. The transform is synchronous: a batch whose
/// operators finish at once (every batch without a failed record) costs the block no task; a batch that goes
/// asynchronous (a failed record's retries or dead letters) leaves the transform as its pending task, which the
/// forwarder awaits in turn, so the order still holds.
/// </summary>
internal sealed class OrderedParallelNode<TIn, TOut>
{
    public OrderedParallelNode(SegmentSpec spec, BatchTarget<TOut> output, RunContext run, BlockCounters? counters)
    {
        var gate = NodeBlocks.ByteGate(spec.CapacityBytes);
        var worker = new SegmentWorker<TIn, TOut>(spec, output, run, gate, spec.DegreeOfParallelism, counters);
        var name = spec.Name;
        var transform = new TransformBlock<Batch<TIn>, Applied>(
            batch => Apply(worker, run, name, batch),
            NodeBlocks.Options(run, spec.BoundedCapacity, spec.DegreeOfParallelism, ensureOrdered: true));
        var forwarder = new ActionBlock<Applied>(
            applied => applied.Pending is { } pending ? ForwardAfterAsync(worker, pending)
                : applied.Result is { } result ? worker.ForwardAsync(result)
                : Task.CompletedTask,
            NodeBlocks.Options(run, spec.DegreeOfParallelism, 1));
        transform.LinkTo(forwarder, new DataflowLinkOptions { PropagateCompletion = true });
        run.Track(transform.Completion);
        run.Track(forwarder.Completion);
        NodeBlocks.CompleteOnSuccess(forwarder.Completion, output);
        counters?.ObserveQueue(() => transform.InputCount);
        Input = new BlockTarget<TIn>(transform, gate, counters);
    }

    public BatchTarget<TIn> Input { get; }

    private static Applied Apply(SegmentWorker<TIn, TOut> worker, RunContext run, string name, Batch<TIn> batch)
    {
        try
        {
            var bytes = batch.Bytes;
            var apply = worker.ApplyTimedAsync(batch);
            if (!apply.IsCompletedSuccessfully)
            {
                return new Applied(null, CompleteAsync(worker, run, name, apply, bytes));
            }

            worker.ReleaseGate(bytes);
            return new Applied(apply.Result, null);
        }
        catch (Exception exception)
        {
            run.Fail(exception, name);
            throw;
        }
    }

    private static async Task<Batch<TOut>?> CompleteAsync(SegmentWorker<TIn, TOut> worker, RunContext run, string name, ValueTask<Batch<TOut>?> apply, long bytes)
    {
        try
        {
            var result = await apply.ConfigureAwait(false);
            worker.ReleaseGate(bytes);
            return result;
        }
        catch (Exception exception)
        {
            run.Fail(exception, name);
            throw;
        }
    }

    private static async Task ForwardAfterAsync(SegmentWorker<TIn, TOut> worker, Task<Batch<TOut>?> pending)
    {
        if (await pending.ConfigureAwait(false) is { } result)
        {
            await worker.ForwardAsync(result).ConfigureAwait(false);
        }
    }

    /// <summary>A transformed batch: its result (<see langword="null"/> when nothing is left), or the task still producing it.</summary>
    private readonly record struct Applied(Batch<TOut>? Result, Task<Batch<TOut>?>? Pending);
}
