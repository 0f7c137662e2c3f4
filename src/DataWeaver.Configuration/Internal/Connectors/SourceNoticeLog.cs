using DataWeaver.Configuration.Files;
using DataWeaver.Connectors.Files;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>Logs the notices of the file sources a factory builds (a tail left unread, a truncated or replaced file) to <see cref="ConnectorContext.LoggerFactory"/>.</summary>
internal static partial class SourceNoticeLog
{
    /// <summary>The log category of source notices.</summary>
    public const string Category = "DataWeaver.Sources";

    /// <summary>Creates the notice handler of a <c>file</c> source.</summary>
    /// <param name="context">The source's context.</param>
    /// <returns>The handler.</returns>
    public static Action<FileSourceNotice> ForFile(ConnectorContext context)
    {
        var logger = context.LoggerFactory.CreateLogger(Category);
        return notice => Notice(logger, context.PipelineName, context.Name, notice.Kind.ToString(), notice.Message);
    }

    /// <summary>Creates the notice handler of a <c>json-lines-file</c> source.</summary>
    /// <param name="context">The source's context.</param>
    /// <returns>The handler.</returns>
    public static Action<JsonLinesSourceNotice> ForJsonLines(ConnectorContext context)
    {
        var logger = context.LoggerFactory.CreateLogger(Category);
        return notice => Notice(logger, context.PipelineName, context.Name, notice.Kind.ToString(), notice.Message);
    }

    [LoggerMessage(EventId = 1, EventName = "SourceNotice", Level = LogLevel.Warning, Message = "pipeline '{Pipeline}', source '{Source}': {Kind}: {Notice}")]
    private static partial void Notice(ILogger logger, string pipeline, string source, string kind, string notice);
}
