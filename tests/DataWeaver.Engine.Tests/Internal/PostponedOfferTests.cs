using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using DataWeaver.Internal.Runtime;

namespace DataWeaver.Tests.Internal;

public sealed class PostponedOfferTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(1); // guards against a hang only

    [Fact]
    public async Task OfferAsync_BlockHasRoom_ConsumedAtOnce()
    {
        var taken = new ConcurrentQueue<int>();
        var block = new ActionBlock<int>(taken.Enqueue, new ExecutionDataflowBlockOptions { BoundedCapacity = 1 });
        var offer = new PostponedOffer<int>();

        var outcome = offer.OfferAsync(block, 1, CancellationToken.None);

        Assert.True(outcome.IsCompleted);
        Assert.Equal(OfferOutcome.Consumed, await outcome);
        block.Complete();
        await block.Completion.WaitAsync(Hang);
        Assert.Equal([1], taken);
    }

    [Fact]
    public async Task OfferAsync_BlockFull_WaitsUntilTheBlockTakesItAndTheOfferIsReusedInOrder()
    {
        using var gate = new SemaphoreSlim(0);
        var taken = new ConcurrentQueue<int>();
        var block = Gated(gate, taken);
        var offer = new PostponedOffer<int>();
        Assert.True(block.Post(0)); // the block's one place is taken until the gate opens

        for (var i = 1; i <= 50; i++)
        {
            var outcome = offer.OfferAsync(block, i, CancellationToken.None);
            Assert.False(outcome.IsCompleted); // full: postponed
            gate.Release();
            Assert.Equal(OfferOutcome.Consumed, await outcome.AsTask().WaitAsync(Hang));
        }

        block.Complete();
        gate.Release();
        await block.Completion.WaitAsync(Hang);
        Assert.Equal(Enumerable.Range(0, 51), taken);
    }

    [Fact]
    public async Task OfferAsync_CancelledWhileWaiting_CancelledAndTheBlockNeverTakesIt()
    {
        using var gate = new SemaphoreSlim(0);
        var taken = new ConcurrentQueue<int>();
        var block = Gated(gate, taken);
        var offer = new PostponedOffer<int>();
        Assert.True(block.Post(0));
        using var cancel = new CancellationTokenSource();

        var outcome = offer.OfferAsync(block, 1, cancel.Token);
        await cancel.CancelAsync();
        Assert.Equal(OfferOutcome.Cancelled, await outcome.AsTask().WaitAsync(Hang));

        // The block still holds the cancelled offer: when it has room it asks for it and must not get it. The offer
        // is reused meanwhile: the block gets the new message, not the old one.
        var second = offer.OfferAsync(block, 2, CancellationToken.None);
        gate.Release();
        Assert.Equal(OfferOutcome.Consumed, await second.AsTask().WaitAsync(Hang));
        block.Complete();
        gate.Release();
        await block.Completion.WaitAsync(Hang);
        Assert.Equal([0, 2], taken);
    }

    [Fact]
    public async Task OfferAsync_BlockFaultsWhileWaiting_TheOfferEndsAndTheBlockDeclinesForGood()
    {
        using var gate = new SemaphoreSlim(0);
        var taken = new ConcurrentQueue<int>();
        var block = Gated(gate, taken);
        var offer = new PostponedOffer<int>();
        Assert.True(block.Post(0));

        var outcome = offer.OfferAsync(block, 1, CancellationToken.None);
        ((IDataflowBlock)block).Fault(new InvalidOperationException("a failing stage"));
        gate.Release();

        // The faulting block lets its postponed offers go: released (then declined on the next offer) or declined.
        var ended = await outcome.AsTask().WaitAsync(Hang);
        if (ended == OfferOutcome.Released)
        {
            ended = await offer.OfferAsync(block, 1, CancellationToken.None).AsTask().WaitAsync(Hang);
        }

        Assert.Equal(OfferOutcome.DecliningPermanently, ended);
        await Assert.ThrowsAnyAsync<Exception>(() => block.Completion.WaitAsync(Hang));
        Assert.DoesNotContain(1, taken);
    }

    private static ActionBlock<int> Gated(SemaphoreSlim gate, ConcurrentQueue<int> taken) =>
        new(
            async item =>
            {
                await gate.WaitAsync().ConfigureAwait(false);
                taken.Enqueue(item);
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1 });
}
