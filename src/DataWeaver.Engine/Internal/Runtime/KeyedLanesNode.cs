using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Key-ordered lanes: each record goes to the lane its key hashes to, and each lane is one ordered worker,
/// so records of one key keep their order while different keys run in parallel. Lanes have no bound of their
/// own: a lane that is slow (a record retrying) must not stop the router from feeding the other lanes. The
/// pipeline's in-flight bound limits them all, so a stuck lane holds the others back only once it holds
/// <c>MaxInFlightRecords</c> records.
/// </summary>
internal sealed class KeyedLanesNode<TIn, TOut>
{
    public KeyedLanesNode(SegmentSpec spec, BatchTarget<TOut> output, RunContext run, BlockCounters? counters)
    {
        var lanes = new BlockTarget<TIn>[spec.DegreeOfParallelism];
        var completions = new Task[lanes.Length];
        for (var i = 0; i < lanes.Length; i++)
        {
            var gate = NodeBlocks.ByteGate(spec.CapacityBytes / lanes.Length);
            var worker = new SegmentWorker<TIn, TOut>(spec, output, run, gate, concurrency: 1, counters);
            var block = new ActionBlock<Batch<TIn>>(worker.ProcessAsync, NodeBlocks.Options(run, DataflowBlockOptions.Unbounded, 1));
            run.Track(block.Completion);
            completions[i] = block.Completion;
            counters?.ObserveQueue(() => block.InputCount);
            lanes[i] = new BlockTarget<TIn>(block, gate, counters);
        }

        NodeBlocks.CompleteOnSuccess(Task.WhenAll(completions), output);
        Input = new LaneRouter(lanes, (IBatchPartitioner<TIn>)spec.Partitioner!, spec.Name, run);
    }

    public BatchTarget<TIn> Input { get; }

    /// <summary>Splits each batch by lane, on the sender's thread, and sends each part to its lane.</summary>
    private sealed class LaneRouter(BlockTarget<TIn>[] lanes, IBatchPartitioner<TIn> partitioner, string stage, RunContext run)
        : BatchTarget<TIn>
    {
        public override async ValueTask SendAsync(Batch<TIn> batch, CancellationToken cancellationToken)
        {
            var parts = new Batch<TIn>?[lanes.Length];
            try
            {
                var items = batch.Items;
                for (var i = 0; i < batch.Count; i++)
                {
                    var lane = partitioner.GetLane(items[i], lanes.Length);
                    (parts[lane] ??= Batch<TIn>.Rent(batch.Count)).Add(items[i]);
                }
            }
            catch (Exception exception)
            {
                run.Fail(exception, stage + " (key selector)");
                throw;
            }

            foreach (var part in parts)
            {
                if (part is not null)
                {
                    batch.ShareResourcesWith(part);
                    part.Bytes = batch.Bytes * part.Count / batch.Count;
                }
            }

            batch.Release();
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is { } part)
                {
                    await lanes[i].SendAsync(part, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override void Complete()
        {
            foreach (var lane in lanes)
            {
                lane.Complete();
            }
        }
    }
}
