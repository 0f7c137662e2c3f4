using DataWeaver.Cli.Run.Progress;
using DataWeaver.Configuration;
using DataWeaver.Errors;

namespace DataWeaver.Cli.Run;

/// <summary>What a session prints when it ends: a summary line per pipeline, and the error of each failed one.</summary>
internal static class RunSummary
{
    /// <summary>Prints the summary lines and the errors to <see cref="CliContext.Error"/> (standard output is for data).</summary>
    /// <param name="context">The process context.</param>
    /// <param name="pipelines">The session's pipelines, ended.</param>
    /// <param name="scrub">Removes secrets from each line.</param>
    /// <param name="stopped">Whether a stop signal came (each pipeline's own end state tells how it ended).</param>
    public static void Print(CliContext context, IReadOnlyList<ManagedPipeline> pipelines, Func<string, string> scrub, bool stopped)
    {
        foreach (var pipeline in pipelines)
        {
            context.Error.WriteLine(scrub(Line(pipeline, stopped)));
        }

        foreach (var pipeline in pipelines)
        {
            if (pipeline.LastError is { } error)
            {
                context.Error.WriteLine(scrub(Error(pipeline.Name, error)));
            }
        }
    }

    /// <summary>Formats the summary of an ended pipeline: its end state, duration, counters and (after a second or more) average rates.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="stopped">Whether a stop signal came.</param>
    /// <returns>The line.</returns>
    internal static string Line(ManagedPipeline pipeline, bool stopped)
    {
        var stats = pipeline.LastRun?.Statistics ?? default;
        var duration = pipeline is { StartedAt: { } started, EndedAt: { } ended } ? ended - started : stats.Elapsed;
        var seconds = duration.TotalSeconds;
        var state = ProgressText.State(pipeline.State); // completed, stopped (a stop signal drained it), aborted or failed
        return $"{pipeline.Name}: {state} in {ProgressText.Seconds(duration)}: "
            + $"in {ProgressText.Count(stats.RecordsRead)}{Rate(stats.RecordsRead, seconds)}, "
            + $"out {ProgressText.Count(stats.RecordsWritten)}{Rate(stats.RecordsWritten, seconds)}, "
            + $"errors {ProgressText.Count(stats.Errors)}, dead-lettered {ProgressText.Count(stats.RecordsDeadLettered)}, skipped {ProgressText.Count(stats.RecordsSkipped)}";
    }

    /// <summary>An average rate in parentheses, only for a run of a second or more (a shorter one's rate is noise).</summary>
    private static string Rate(long count, double seconds) => seconds >= ProgressSample.SteadyAfter.TotalSeconds ? $" ({ProgressText.Rate(count / seconds)})" : string.Empty;

    /// <summary>Formats a failure: the error class, the stage it happened in, the exception type and message.</summary>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="error">The exception that stopped its run.</param>
    /// <returns>The line (not yet scrubbed).</returns>
    internal static string Error(string pipeline, Exception error)
    {
        var errorClass = error.Data["DataWeaver.ErrorClass"] is ErrorClass known ? known : error is DataWeaverException dw ? dw.ErrorClass : ErrorClass.Fatal;
        var stage = error.Data["DataWeaver.Stage"] as string ?? "(unknown)";
        return $"error: pipeline '{pipeline}' failed: {errorClass.ToString().ToLowerInvariant()} error in stage '{stage}': {error.GetType().Name}: {error.Message}";
    }
}
