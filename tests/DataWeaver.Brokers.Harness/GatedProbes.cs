using DataWeaver.Testing.Contracts;

namespace DataWeaver.Brokers.Harness;

/// <summary>Drives a gated <see cref="SequenceProbeSink{T}"/> (a slow sink) in the broker tests.</summary>
public static class GatedProbes
{
    /// <summary>
    /// Lets writes through the gate one at a time until <paramref name="condition"/> holds. A batch never waits to fill up
    /// (a source hands over what it has), so a fixed number of released writes carries anywhere from one record per write
    /// to full batches, fewer under load: waiting for a record count after releasing a fixed number of writes can wait forever.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="probe">The gated sink.</param>
    /// <param name="condition">What to reach (for example a count of records written).</param>
    /// <param name="stopWaiting">Ends the wait early (the run's completion).</param>
    /// <param name="guard">Fails the wait after this long: a guard against a hang, not a performance limit.</param>
    /// <returns><see langword="true"/> when the condition holds; <see langword="false"/> when the run ended first.</returns>
    /// <exception cref="TimeoutException">The guard passed.</exception>
    public static async Task<bool> ReleaseUntilAsync<T>(SequenceProbeSink<T> probe, Func<bool> condition, Task stopWaiting, TimeSpan guard)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(stopWaiting);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (stopWaiting.IsCompleted)
            {
                return condition();
            }

            if (TimeProvider.System.GetElapsedTime(started) > guard)
            {
                throw new TimeoutException($"Waited {guard} (a guard against hangs) and the condition still does not hold; {probe.Count} records written, {probe.Waiting} writes waiting.");
            }

            if (probe.Waiting > 0)
            {
                // One write through; the next only once it wrote (its records counted), so no write is let through unasked.
                var written = probe.Count;
                probe.Release();
                await SequenceProbeSink<T>.WaitUntilAsync(() => probe.Count > written, stopWaiting, guard).ConfigureAwait(false);
                continue;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        return true;
    }
}
