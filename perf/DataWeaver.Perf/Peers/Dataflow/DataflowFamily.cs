using System.Threading.Tasks.Dataflow;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Peers.Dataflow;

/// <summary>
/// <c>naive-dataflow</c> and <c>naive-dataflow-bounded</c>: one per-record block per stage, as a typical user writes
/// it. Map: a <see cref="TransformBlock{TInput, TOutput}"/>. Filter: a pass-through TransformBlock whose links carry
/// the predicate (kept records to the next block, the others to a NullTarget: the Dataflow idiom for a filter).
/// Sink: an <see cref="ActionBlock{TInput}"/>. Default options, or <c>BoundedCapacity = 1024</c> per block.
/// The source loop calls <c>Post</c> (unbounded) or awaits <c>SendAsync</c> (bounded).
/// </summary>
internal sealed class DataflowFamily(bool bounded) : StageFamily
{
    /// <summary>The bound of each block in records (naive-dataflow-bounded).</summary>
    public const int BoundedCapacity = 1024;

    public override string Name => bounded ? PeerNames.NaiveDataflowBounded : PeerNames.NaiveDataflow;

    public override Inlet<TIn> Open<TIn, TOut>(Func<Stages<TIn>, Stages<TOut>> shape, Action<TOut> sink)
    {
        var chain = new Chain(bounded ? new ExecutionDataflowBlockOptions { BoundedCapacity = BoundedCapacity } : new ExecutionDataflowBlockOptions());
        var completion = shape(new DataflowStages<TIn>(chain, null, null)).Into(sink);
        return new DataflowInlet<TIn>((ITargetBlock<TIn>)chain.Head!, bounded, completion);
    }

    private sealed class Chain(ExecutionDataflowBlockOptions options)
    {
        public ExecutionDataflowBlockOptions Options { get; } = options;

        public object? Head { get; set; }
    }

    private sealed class DataflowStages<T>(Chain chain, ISourceBlock<T>? tail, Predicate<T>? keep) : Stages<T>
    {
        private static readonly DataflowLinkOptions Propagate = new() { PropagateCompletion = true };

        public override Stages<TOut> Map<TOut>(Func<T, TOut> map)
        {
            var block = new TransformBlock<T, TOut>(map, chain.Options);
            Connect(block);
            return new DataflowStages<TOut>(chain, block, null);
        }

        public override Stages<T> Filter(Func<T, bool> keep)
        {
            var block = new TransformBlock<T, T>(static item => item, chain.Options);
            Connect(block);
            return new DataflowStages<T>(chain, block, new Predicate<T>(keep));
        }

        public override Task Into(Action<T> sink)
        {
            var block = new ActionBlock<T>(sink, chain.Options);
            Connect(block);
            return block.Completion;
        }

        private void Connect(ITargetBlock<T> next)
        {
            if (tail is null)
            {
                chain.Head = next;
            }
            else if (keep is null)
            {
                tail.LinkTo(next, Propagate);
            }
            else
            {
                // Both links need their predicate: a bounded next block that postpones a kept record would
                // otherwise let the NullTarget take it.
                var drop = keep;
                tail.LinkTo(next, Propagate, keep);
                tail.LinkTo(DataflowBlock.NullTarget<T>(), item => !drop(item));
            }
        }
    }

    private sealed class DataflowInlet<T>(ITargetBlock<T> head, bool bounded, Task completion) : Inlet<T>
    {
        public override ValueTask SendAsync(T item)
        {
            if (!bounded)
            {
                head.Post(item);
                return default;
            }

            var send = head.SendAsync(item);
            return send.IsCompletedSuccessfully ? default : new ValueTask(send);
        }

        public override Task CompleteAsync()
        {
            head.Complete();
            return completion;
        }
    }
}
