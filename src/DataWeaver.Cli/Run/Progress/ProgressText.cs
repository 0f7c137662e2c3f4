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

    /// <summary>Names a pipeline state in lower case.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The text.</returns>
    public static string State(PipelineState state) => PipelineStates.Label(state);
}
