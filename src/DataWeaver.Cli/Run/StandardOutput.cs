using DataWeaver.Configuration;

namespace DataWeaver.Cli.Run;

/// <summary>Which pipelines write records to standard output: then it is theirs, and on a terminal no live table is drawn.</summary>
internal static class StandardOutput
{
    /// <summary>Tells whether a pipeline's sinks or dead-letter target write to standard output: a <c>console</c> sink (not <c>target: stderr</c>), a <c>file</c> sink with <c>path: "-"</c>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns><see langword="true"/> when one does.</returns>
    public static bool IsWrittenBy(PipelineDefinition pipeline) =>
        pipeline.Sinks.Append(pipeline.Errors.DeadLetter).Any(sink => sink is not null && Writes(sink));

    private static bool Writes(ConnectorDefinition sink) => sink.Type switch
    {
        "console" => sink.Settings["target"]?.Text is null or "stdout",
        "file" => sink.Settings["path"]?.Text == "-",
        _ => false,
    };
}
