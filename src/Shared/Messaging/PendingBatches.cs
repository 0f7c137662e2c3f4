using DataWeaver.Connectors;

namespace DataWeaver.Messaging.Internal;

/// <summary>
/// The batches a broker sink published and the broker has not confirmed yet (publisher confirms, PUBACKs), compiled into each
/// broker connector (src/Shared/Messaging): each is acknowledged to the pipeline, or failed, once every message of it is
/// settled; a flush waits for all of them.
/// </summary>
/// <param name="check">Tells a completed publish that the broker refused (an error to fail its batch with), or <see langword="null"/>.</param>
/// <param name="map">Maps a publish's exception to the error its batch fails with.</param>
internal sealed class PendingBatches(Func<Task, Exception?> check, Func<Exception, Exception> map)
{
    private readonly List<Task> _pending = [];

    /// <summary>Settles a batch in the background once every publish of it completed: the first failure fails it, else it is acknowledged.</summary>
    public void Add(Task[] publishes, SinkAcknowledgement acknowledgement)
    {
        lock (_pending)
        {
            _pending.RemoveAll(static task => task.IsCompleted);
            _pending.Add(SettleAsync(publishes, acknowledgement));
        }
    }

    /// <summary>Waits until every batch added is settled.</summary>
    public Task WhenAllAsync(CancellationToken cancellationToken) => Task.WhenAll(Snapshot()).WaitAsync(cancellationToken);

    /// <summary>Waits until every batch added is settled, for at most <paramref name="timeout"/>; returns quietly after it (the batches then fail when the connection closes).</summary>
    public async Task WhenAllAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(Snapshot()).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            // Never acknowledged: the source sends them again.
        }
    }

    private Task[] Snapshot()
    {
        lock (_pending)
        {
            return [.. _pending];
        }
    }

    /// <summary>Never throws.</summary>
    private async Task SettleAsync(Task[] publishes, SinkAcknowledgement acknowledgement)
    {
        Exception? failure = null;
        foreach (var publish in publishes)
        {
            try
            {
                await publish.ConfigureAwait(false);
                failure ??= check(publish);
            }
            catch (Exception error)
            {
                failure ??= map(error);
            }
        }

        if (failure is null)
        {
            acknowledgement.Acknowledge();
        }
        else
        {
            acknowledgement.Fail(failure);
        }
    }
}
