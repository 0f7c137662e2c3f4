using System.Globalization;
using DataWeaver.Lifecycle;

namespace DataWeaver.Cli.Run.Progress;

/// <summary>The number formats of progress displays and summaries (invariant: <c>1,234,567</c>, <c>98%</c>).</summary>
internal static class ProgressText
{
    /// <summary>Formats a count with thousands separators.</summary>
    /// <param name="value">The count.</param>
    /// <returns>The text.</returns>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Formats a rate per second with thousands separators.</summary>
    /// <param name="perSecond">The rate.</param>
    /// <returns>The text.</returns>
    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + "/s";

    /// <summary>Formats a share from 0 to 1 as a whole percentage.</summary>
    /// <param name="share">The share.</param>
    /// <returns>The text, e.g. <c>98%</c>.</returns>
    public static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Formats a duration in seconds with one decimal.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text, e.g. <c>4.2 s</c>.</returns>
    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>Formats a count in at most 6 characters: exact below 100,000 (<c>99,999</c>), then <c>123.4k</c>, <c>12.3M</c>, <c>1.2G</c>.</summary>
    /// <param name="value">The count.</param>
    /// <returns>The text.</returns>
    public static string Compact(double value) => Math.Abs(value) switch
    {
        < 100_000 => value.ToString("N0", CultureInfo.InvariantCulture),
        < 999_950 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        < 999_950_000 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        _ => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
    };

    /// <summary>Formats a duration as a clock: <c>0:07</c>, <c>12:34</c>, <c>1:02:03</c>.</summary>
    /// <param name="duration">The duration (negative counts as zero).</param>
    /// <returns>The text.</returns>
    public static string Clock(TimeSpan duration)
    {
        var seconds = (long)Math.Max(0, Math.Round(duration.TotalSeconds));
        return seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");
    }

    /// <summary>
    /// Names a pipeline's state as the displays show it: <c>waiting</c> for a running pipeline that has read nothing for a
    /// second or more (a source still connecting, a broker that cannot be reached, an empty followed file), else its state.
    /// </summary>
    /// <param name="sample">The pipeline's reading.</param>
    /// <returns>The text.</returns>
    public static string State(ProgressSample sample) =>
        sample is { State: PipelineState.Running, Statistics.RecordsRead: 0, IsSteady: true } ? "waiting" : State(sample.State);

    /// <summary>Names a pipeline state in lower case.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The text.</returns>
    public static string State(PipelineState state) => PipelineStates.Label(state);
}
