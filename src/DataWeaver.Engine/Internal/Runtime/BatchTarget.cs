using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;

namespace DataWeaver.Internal.Runtime;

/// <summary>Where a block sends its output batches: the next block, or a fan-out into several.</summary>
internal abstract class BatchTarget<T>
{
    /// <summary>Sends a batch, waiting while the target is full (backpressure). Ownership passes to the target.</summary>
    public abstract ValueTask SendAsync(Batch<T> batch, CancellationToken cancellationToken);

    /// <summary>Signals that no more batches come from the one upstream.</summary>
    public abstract void Complete();
}

/// <summary>The input of a Dataflow block, optionally behind a byte gate; counts what enters it in the block's counters.</summary>
internal sealed class BlockTarget<T>(ITargetBlock<Batch<T>> block, CapacityGate? byteGate, BlockCounters? counters = null) : BatchTarget<T>
{
    private PostponedOffer<Batch<T>>? _spare; // the offer of the last wait, for the next one (a second concurrent sender makes its own)

    public CapacityGate? ByteGate => byteGate;

    public override ValueTask SendAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        counters?.Enter(batch.Count); // before the hand-off: the batch is the block's once posted
        if (byteGate is null && block.Post(batch))
        {
            return default;
        }

        return SendSlowAsync(batch, cancellationToken);
    }

    public override void Complete() => block.Complete();

    // Runs once per batch when the block is full (the usual case while the source is ahead): pooled, so waiting allocates no state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendSlowAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        if (byteGate is not null)
        {
            await byteGate.WaitAsync(0, cancellationToken).ConfigureAwait(false);
            byteGate.AddBytes(batch.Bytes);
        }

        // Not DataflowBlock.SendAsync: it allocates about 400 bytes for every wait. One offer per sender at a time, reused.
        var offer = Interlocked.Exchange(ref _spare, null) ?? new PostponedOffer<Batch<T>>();
        while (true)
        {
            switch (await offer.OfferAsync(block, batch, cancellationToken).ConfigureAwait(false))
            {
                case OfferOutcome.Consumed:
                    _spare = offer;
                    return;
                case OfferOutcome.Released when !cancellationToken.IsCancellationRequested:
                    continue; // the block let the postponed offer go: offer again (it says whether it still accepts)
                case OfferOutcome.Declined:
                    // Only a block that does not postpone declines while it runs: let Dataflow's own send wait for it.
                    if (await block.SendAsync(batch, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    break;
            }

            // The block declined for good (it was faulted or cancelled because the pipeline is failing), or the wait was cancelled.
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException("A block of the pipeline stopped accepting batches.");
        }
    }
}
