using DataWeaver.Errors;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// The host's log messages, source-generated. They name pipelines and stages, counts and exception types; never
/// connector settings. Exceptions are attached as the log entry's exception (their messages are the connectors' own).
/// </summary>
internal static partial class HostingLog
{
    public const string Category = "DataWeaver.Hosting";

    [LoggerMessage(1, LogLevel.Information, "Pipeline {Pipeline} started ({Blocks} blocks, at most {MaxInFlightRecords} records in flight)")]
    public static partial void Started(ILogger logger, string pipeline, int blocks, int maxInFlightRecords);

    [LoggerMessage(2, LogLevel.Information, "Pipeline {Pipeline} completed: the source ran out; {RecordsRead} records read, {RecordsWritten} written, all committed")]
    public static partial void Completed(ILogger logger, string pipeline, long recordsRead, long recordsWritten);

    [LoggerMessage(3, LogLevel.Information, "Pipeline {Pipeline} draining: the source stopped reading; waiting up to {DrainTimeout} for in-flight records")]
    public static partial void Draining(ILogger logger, string pipeline, TimeSpan drainTimeout);

    [LoggerMessage(4, LogLevel.Information, "Pipeline {Pipeline} drained: {RecordsRead} records read, {RecordsWritten} written, all committed")]
    public static partial void Drained(ILogger logger, string pipeline, long recordsRead, long recordsWritten);

    [LoggerMessage(5, LogLevel.Warning, "Pipeline {Pipeline} aborted: the drain did not finish in time; {RecordsInFlight} records in flight were dropped unacknowledged and will be read again")]
    public static partial void Aborted(ILogger logger, string pipeline, long recordsInFlight);

    [LoggerMessage(6, LogLevel.Error, "Pipeline {Pipeline} failed with a {ErrorClass} error in stage {Stage}: {ExceptionType}")]
    public static partial void Failed(ILogger logger, string pipeline, ErrorClass errorClass, string stage, string exceptionType, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Pipeline {Pipeline} restarting in {Delay} (restart {Restart} of {MaxRestarts})")]
    public static partial void Restarting(ILogger logger, string pipeline, TimeSpan delay, int restart, int maxRestarts);

    [LoggerMessage(8, LogLevel.Debug, "Pipeline {Pipeline} committed {Positions}; {CommitLag} records read are not committed yet")]
    public static partial void Committed(ILogger logger, string pipeline, string positions, long commitLag);

    [LoggerMessage(9, LogLevel.Error, "Pipeline {Pipeline} could not be built: {ExceptionType}")]
    public static partial void BuildFailed(ILogger logger, string pipeline, string exceptionType, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Pipeline {Pipeline} is aborted: the host's shutdown timeout passed before its drain finished")]
    public static partial void HostTimeout(ILogger logger, string pipeline);
}
