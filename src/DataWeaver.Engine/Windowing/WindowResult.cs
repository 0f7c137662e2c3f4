namespace DataWeaver.Windowing;

/// <summary>The aggregates of one key in one window, emitted when the window closes.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Start">The window's start (inclusive).</param>
/// <param name="End">The window's end (exclusive).</param>
/// <param name="Count">How many records of the key fell in the window.</param>
/// <param name="Sum">The sum of their values.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
public sealed record WindowResult<TKey>(TKey Key, DateTimeOffset Start, DateTimeOffset End, long Count, double Sum, double Min, double Max)
{
    /// <summary>Gets the average of the values (<see cref="Sum"/> / <see cref="Count"/>).</summary>
    public double Average => Sum / Count;
}
