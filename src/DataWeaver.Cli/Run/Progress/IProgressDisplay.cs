namespace DataWeaver.Cli.Run.Progress;

/// <summary>Shows the progress of a session's pipelines until they have all ended.</summary>
internal interface IProgressDisplay
{
    /// <summary>Shows progress until <paramref name="completion"/> completes.</summary>
    /// <param name="pipelines">The pipelines, started.</param>
    /// <param name="completion">Completes (without throwing) once every pipeline has ended.</param>
    /// <returns>A task that completes after the last update.</returns>
    Task ShowAsync(IReadOnlyList<ProgressTracker> pipelines, Task completion);
}
