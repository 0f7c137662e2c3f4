using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// The input of a node that holds records back (a batching or a stateful node): completing it first sends
/// <paramref name="endSignal"/> through the block, so the node emits what it holds before the block completes.
/// </summary>
internal sealed class EndSignallingTarget<T>(ActionBlock<Batch<T>> block, Batch<T> endSignal, RunContext run, BlockCounters? counters) : BatchTarget<T>
{
    private readonly BlockTarget<T> _inner = new(block, byteGate: null, counters);

    public override ValueTask SendAsync(Batch<T> batch, CancellationToken cancellationToken) =>
        _inner.SendAsync(batch, cancellationToken);

    public override void Complete() =>
        block.SendAsync(endSignal, run.AbortToken).ContinueWith(
            static (_, block) => ((IDataflowBlock)block!).Complete(),
            block,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
