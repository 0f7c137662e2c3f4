namespace DataWeaver.Sockets.Internal;

/// <summary>
/// A pulse that wakes every waiter: take <see cref="Next"/> before checking the condition, then await it; <see cref="Pulse"/>
/// completes it and starts the next one, so no wake-up is lost.
/// </summary>
internal sealed class Signal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the task the next pulse completes.</summary>
    public Task Next => Volatile.Read(ref _current).Task;

    /// <summary>Wakes every waiter of <see cref="Next"/>.</summary>
    public void Pulse() =>
        Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
