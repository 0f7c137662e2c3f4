using System.Threading.Tasks.Dataflow;
using System.Threading.Tasks.Sources;

namespace DataWeaver.Internal.Runtime;

/// <summary>How a <see cref="PostponedOffer{T}"/> ended.</summary>
internal enum OfferOutcome
{
    /// <summary>The block took the message (at once or later, from its postponed offers).</summary>
    Consumed,

    /// <summary>The block reserved the message and released it again (it is completing): offer it again.</summary>
    Released,

    /// <summary>The cancellation token fired before the block took the message; the block will never take it.</summary>
    Cancelled,

    /// <summary>The block declines this and every later message (it completed, faulted or was cancelled).</summary>
    DecliningPermanently,

    /// <summary>The block declined without postponing (a block that does not postpone offers).</summary>
    Declined,
}

/// <summary>
/// Hands a message to a full Dataflow block without allocating: the block postpones the offer and takes it later from
/// this source, which completes a reusable <see cref="IValueTaskSource{TResult}"/>. The same protocol as
/// <c>DataflowBlock.SendAsync</c>, which allocates a <c>TaskCompletionSource</c>, a task to complete it on and a
/// cancellation registration with a weak reference for every wait: about 400 bytes a batch whenever a block is full.
/// One offer at a time; reused by its owner for the next one. An offer the block still holds after a cancelled wait
/// carries an older header and is refused when the block tries to take it.
/// </summary>
internal sealed class PostponedOffer<T> : ISourceBlock<T>, IValueTaskSource<OfferOutcome>
{
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<OfferOutcome> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private long _id;
    private bool _pending; // offered and not yet taken, released or cancelled
    private bool _reserved;
    private T _value = default!;

    /// <summary>Not supported: the offer is no block of its own. Present because <see cref="ISourceBlock{T}"/> requires it.</summary>
    public Task Completion => Task.CompletedTask;

    /// <summary>
    /// Offers <paramref name="value"/> to <paramref name="target"/>; completes when the block has taken it (perhaps at
    /// once), released it, declined it, or <paramref name="cancellationToken"/> fired first. Await the result before the
    /// next call.
    /// </summary>
    public ValueTask<OfferOutcome> OfferAsync(ITargetBlock<T> target, T value, CancellationToken cancellationToken)
    {
        DataflowMessageHeader header;
        lock (_lock)
        {
            _core.Reset();
            header = new DataflowMessageHeader(++_id);
            _value = value;
            _pending = true;
            _reserved = false;
        }

        // Registered before the offer, so a cancellation can never be missed; the token's callback node is reused.
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static state => ((PostponedOffer<T>)state!).Cancel(), this);
        }

        // consumeToAccept: the block takes the message through ConsumeMessage even when it has room, so a cancellation
        // that won the race always means the block does not have it.
        var status = target.OfferMessage(header, value, this, consumeToAccept: true);
        if (status is not DataflowMessageStatus.Postponed and not DataflowMessageStatus.Accepted)
        {
            Finish(header.Id, status == DataflowMessageStatus.DecliningPermanently ? OfferOutcome.DecliningPermanently : OfferOutcome.Declined);
        }

        return new ValueTask<OfferOutcome>(this, _core.Version);
    }

    /// <inheritdoc/>
    public OfferOutcome GetResult(short token)
    {
        var outcome = _core.GetResult(token);
        _registration.Dispose(); // the callback has run or will not: waits for nothing (continuations run asynchronously)
        _registration = default;
        return outcome;
    }

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <inheritdoc/>
    public T? ConsumeMessage(DataflowMessageHeader messageHeader, ITargetBlock<T> target, out bool messageConsumed)
    {
        T value;
        lock (_lock)
        {
            if (!_pending || messageHeader.Id != _id)
            {
                messageConsumed = false;
                return default;
            }

            value = _value;
            _value = default!;
            _pending = false;
        }

        // After this the owner may reuse the offer: only locals from here on.
        _core.SetResult(OfferOutcome.Consumed);
        messageConsumed = true;
        return value;
    }

    /// <inheritdoc/>
    public bool ReserveMessage(DataflowMessageHeader messageHeader, ITargetBlock<T> target)
    {
        lock (_lock)
        {
            if (!_pending || _reserved || messageHeader.Id != _id)
            {
                return false;
            }

            _reserved = true;
            return true;
        }
    }

    /// <inheritdoc/>
    public void ReleaseReservation(DataflowMessageHeader messageHeader, ITargetBlock<T> target)
    {
        lock (_lock)
        {
            if (!_pending || !_reserved || messageHeader.Id != _id)
            {
                return;
            }

            _value = default!;
            _pending = false;
        }

        _core.SetResult(OfferOutcome.Released);
    }

    /// <summary>Not supported: nothing links to an offer.</summary>
    public IDisposable LinkTo(ITargetBlock<T> target, DataflowLinkOptions linkOptions) => throw new NotSupportedException();

    /// <summary>Does nothing: an offer completes through its outcome.</summary>
    public void Complete()
    {
    }

    /// <summary>Does nothing: an offer completes through its outcome.</summary>
    public void Fault(Exception exception)
    {
    }

    private void Cancel()
    {
        long id;
        lock (_lock)
        {
            if (!_pending || _reserved)
            {
                return; // taken already, or reserved: the block consumes or releases it next
            }

            id = _id;
        }

        Finish(id, OfferOutcome.Cancelled);
    }

    private void Finish(long id, OfferOutcome outcome)
    {
        lock (_lock)
        {
            if (!_pending || id != _id)
            {
                return;
            }

            _value = default!;
            _pending = false;
        }

        _core.SetResult(outcome);
    }
}
