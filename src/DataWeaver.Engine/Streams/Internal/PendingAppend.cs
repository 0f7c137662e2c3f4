namespace DataWeaver.Streams.Internal;

/// <summary>
/// An append waiting for room in a full partition. Stored, cancelled or failed exactly once, always under the
/// topic's lock; a cancelled one is skipped when room appears.
/// </summary>
internal sealed class PendingAppend(StoredMessage message)
{
    private readonly TaskCompletionSource<long> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StoredMessage Message { get; } = message;

    /// <summary>Gets a task that completes with the message's offset once it is stored.</summary>
    public Task<long> Stored => _completion.Task;

    /// <summary>Claims the append for storing at <paramref name="offset"/>; false when it was cancelled first.</summary>
    public bool TryStore(long offset) => _completion.TrySetResult(offset);

    public bool TryCancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);

    public void Fail(Exception error) => _completion.TrySetException(error);
}
