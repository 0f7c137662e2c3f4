using Microsoft.Extensions.Logging;

namespace DataWeaver.Kafka;

/// <summary>librdkafka's log lines and error events as <see cref="ILogger"/> entries (see <see cref="KafkaStreamOptions.Logger"/>).</summary>
public static partial class KafkaLog
{
    /// <summary>The logger category the Kafka log lines are written under in definition files and hosts.</summary>
    public const string Category = "DataWeaver.Kafka";

    /// <summary>Maps a librdkafka (syslog) level to a <see cref="LogLevel"/>.</summary>
    /// <param name="level">The librdkafka level.</param>
    /// <returns>Critical for emergency, alert and critical; Error; Warning; Information for notice and info; Debug.</returns>
    public static LogLevel ToLogLevel(KafkaLogLevel level) => level switch
    {
        <= KafkaLogLevel.Critical => LogLevel.Critical,
        KafkaLogLevel.Error => LogLevel.Error,
        KafkaLogLevel.Warning => LogLevel.Warning,
        KafkaLogLevel.Notice or KafkaLogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>Writes one (already scrubbed) line to <paramref name="logger"/> at its mapped level.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="message">The line.</param>
    public static void Write(ILogger logger, KafkaLogMessage message)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var level = ToLogLevel(message.Level);
        if (logger.IsEnabled(level))
        {
            Librdkafka(logger, level, message.Client, message.Facility, message.Message);
        }
    }

    [LoggerMessage(EventId = 1, EventName = "Librdkafka", Message = "{Client} {Facility}: {Text}")]
    private static partial void Librdkafka(ILogger logger, LogLevel level, string client, string facility, string text);
}
