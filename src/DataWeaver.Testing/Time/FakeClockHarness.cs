using Microsoft.Extensions.Time.Testing;
using DataWeaver.Pipelines;

namespace DataWeaver.Testing.Time;

/// <summary>
/// Drives time-based connectors and pipelines (rates, batch windows, commit intervals, polling, timeouts) on a
/// <see cref="FakeTimeProvider"/>: give <see cref="Time"/> to the connector's options and the pipeline's
/// (<see cref="WithClock"/>), then move time forward step by step until what you wait for happened. Each step lets the
/// work its timers woke run before the next one, so a test of "100 records per second" takes milliseconds and never
/// depends on the machine's speed.
/// </summary>
/// <example>
/// <code>
/// var clock = new FakeClockHarness();
/// var source = new GeneratorSource&lt;long&gt;(n =&gt; n, new GeneratorOptions { Count = 300, RecordsPerSecond = 100, TimeProvider = clock.Time });
/// var run = Pipeline.From(source, clock.WithClock(new PipelineOptions())).To(sink).Build().Start();
/// var elapsed = await clock.AdvanceUntilAsync(() =&gt; run.Completion.IsCompleted, TimeSpan.FromMilliseconds(100));
/// </code>
/// </example>
public sealed class FakeClockHarness
{
    /// <summary>Creates the harness with a fake clock at 2026-01-01T00:00:00Z.</summary>
    public FakeClockHarness()
        : this(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)))
    {
    }

    /// <summary>Creates the harness over a fake clock of yours.</summary>
    /// <param name="time">The clock.</param>
    public FakeClockHarness(FakeTimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        Started = time.GetUtcNow();
    }

    /// <summary>Gets the fake clock: pass it to the connector and to the pipeline.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Gets the fake time the harness started at.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Gets how much fake time passed since the harness started.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - Started;

    /// <summary>Gets or sets how many times, after each step, the harness yields to let woken work run before checking again.</summary>
    /// <value>The default is 3 rounds of 1 millisecond of real time.</value>
    public int SettleRounds { get; set; } = 3;

    /// <summary>Returns <paramref name="options"/> with their clock set to <see cref="Time"/>.</summary>
    /// <param name="options">The pipeline options; <see langword="null"/> uses the defaults.</param>
    /// <returns>The options on the fake clock.</returns>
    public PipelineOptions WithClock(PipelineOptions? options = null) => (options ?? new PipelineOptions()) with { TimeProvider = Time };

    /// <summary>
    /// Moves fake time forward by <paramref name="step"/> at a time until <paramref name="condition"/> holds, letting
    /// the work woken by each step run before checking.
    /// </summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="step">How far each step moves the clock; positive.</param>
    /// <param name="limit">The most fake time to move; <see langword="null"/> allows 1 day.</param>
    /// <param name="cancellationToken">Aborts the wait.</param>
    /// <returns>How much fake time passed until the condition held.</returns>
    /// <exception cref="TimeoutException">The condition still does not hold after <paramref name="limit"/> of fake time.</exception>
    public async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition, TimeSpan step, TimeSpan? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var max = limit ?? TimeSpan.FromDays(1);
        var from = Time.GetUtcNow();
        await SettleAsync(condition, cancellationToken).ConfigureAwait(false);
        while (!condition())
        {
            if (Time.GetUtcNow() - from >= max)
            {
                throw new TimeoutException($"The condition still does not hold after {max} of fake time.");
            }

            Time.Advance(step);
            await SettleAsync(condition, cancellationToken).ConfigureAwait(false);
        }

        return Time.GetUtcNow() - from;
    }

    /// <summary>Moves fake time forward by <paramref name="duration"/>, <paramref name="step"/> at a time, letting woken work run after each step.</summary>
    /// <param name="duration">How far to move.</param>
    /// <param name="step">How far each step moves; positive.</param>
    /// <param name="cancellationToken">Aborts the move.</param>
    /// <returns>A task that completes once moved.</returns>
    public async Task AdvanceAsync(TimeSpan duration, TimeSpan step, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        for (var moved = TimeSpan.Zero; moved < duration; moved += step)
        {
            Time.Advance(duration - moved < step ? duration - moved : step);
            await SettleAsync(static () => false, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SettleAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        for (var i = 0; i < SettleRounds && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }
}
