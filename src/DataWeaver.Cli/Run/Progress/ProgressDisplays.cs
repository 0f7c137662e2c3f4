namespace DataWeaver.Cli.Run.Progress;

/// <summary>Picks a session's progress display.</summary>
internal static class ProgressDisplays
{
    /// <summary>
    /// Creates the display: the live table on standard error when it is an interactive terminal (the run command turns
    /// <see cref="CliContext.IsInteractive"/> off when a sink writes records to a terminal's standard output), plain lines on
    /// standard error otherwise. Nothing goes to standard output, which is for data.
    /// </summary>
    /// <param name="context">The process context.</param>
    /// <param name="settings">The session's settings (progress interval, log).</param>
    /// <param name="scrub">Removes secrets from everything shown.</param>
    /// <returns>The display.</returns>
    public static IProgressDisplay Create(CliContext context, RunSettings settings, Func<string, string> scrub) => context.IsInteractive
        ? new LiveProgress(context.LiveTerminal(), context.Time, scrub, settings.Log)
        : new PlainProgress(context.Error, context.Time, settings.ProgressInterval, scrub);
}
