namespace DataWeaver.Windowing;

/// <summary>The built-in aggregates of one key in one window, emitted when the window closes (and again on a late update).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Start">The window's start (inclusive).</param>
/// <param name="End">The window's end (exclusive; for a session, its last record's time plus the gap).</param>
/// <param name="Count">How many records of the key fell in the window.</param>
/// <param name="Sum">The sum of their values.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
public sealed record WindowResult<TKey>(TKey Key, DateTimeOffset Start, DateTimeOffset End, long Count, double Sum, double Min, double Max)
{
    /// <summary>Gets the average of the values (<see cref="Sum"/> / <see cref="Count"/>).</summary>
    public double Average => Sum / Count;

    /// <summary>Gets the value of the earliest record (by time; of equal times, the first to arrive).</summary>
    public double First { get; init; }

    /// <summary>Gets the value of the latest record (by time; of equal times, the last to arrive).</summary>
    public double Last { get; init; }

    /// <summary>Gets the exact number of distinct values, when <see cref="WindowOptions.DistinctCount"/> is set; otherwise <see langword="null"/>.</summary>
    public long? DistinctCount { get; init; }

    /// <summary>
    /// Gets the estimated number of distinct values, from a HyperLogLog sketch, when
    /// <see cref="WindowOptions.ApproximateDistinctPrecision"/> is set; otherwise <see langword="null"/>.
    /// </summary>
    public long? ApproximateDistinctCount { get; init; }

    /// <summary>
    /// Gets the first <see cref="WindowOptions.CollectLimit"/> values in arrival order, when it is above 0; otherwise
    /// <see langword="null"/>. Fewer than <see cref="Count"/> when the limit cut the list.
    /// </summary>
    public IReadOnlyList<double>? Values { get; init; }

    /// <summary>Gets whether the window was emitted before and this result replaces that one (see <see cref="WindowOptions.AllowedLateness"/>).</summary>
    public bool IsUpdate { get; init; }

    /// <summary>
    /// Gets whether the window is still open and this is its current result, emitted early
    /// (<see cref="WindowOptions.EarlyResultEvery"/>, <see cref="WindowOptions.EarlyResultInterval"/>); the final result follows
    /// when the window closes and replaces it.
    /// </summary>
    public bool IsEarly { get; init; }
}
