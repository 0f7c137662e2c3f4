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
    public static Task<bool> ReleaseUntilAsync<T>(SequenceProbeSink<T> probe, Func<bool> condition, Task stopWaiting, TimeSpan guard)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        var releasedAt = -1;
        return SequenceProbeSink<T>.WaitUntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                // One write through; the next only once it wrote (its records counted), so no write is let through unasked.
                var written = probe.Count;
                if (probe.Waiting > 0 && written > releasedAt)
                {
                    releasedAt = written;
                    probe.Release();
                }

                return false;
            },
            stopWaiting,
            guard);
    }
}
