namespace DataWeaver.Kafka;

/// <summary>Severity of a librdkafka log line (syslog levels: lower is more severe).</summary>
public enum KafkaLogLevel
{
    /// <summary>System is unusable.</summary>
    Emergency = 0,

    /// <summary>Action must be taken immediately.</summary>
    Alert = 1,

    /// <summary>Critical conditions.</summary>
    Critical = 2,

    /// <summary>Error conditions.</summary>
    Error = 3,

    /// <summary>Warning conditions.</summary>
    Warning = 4,

    /// <summary>Normal but significant conditions.</summary>
    Notice = 5,

    /// <summary>Informational messages.</summary>
    Info = 6,

    /// <summary>Debug messages (librdkafka's <c>debug</c> setting).</summary>
    Debug = 7,
}

/// <summary>
/// One librdkafka log line, with every secret setting's value already replaced by <c>***</c> (see
/// <see cref="KafkaStreamOptions.LogHandler"/>).
/// </summary>
/// <param name="Level">The severity.</param>
/// <param name="Client">The librdkafka client instance name (for example <c>rdkafka#producer-1</c>).</param>
/// <param name="Facility">librdkafka's facility (for example <c>FAIL</c>, <c>CONF</c>).</param>
/// <param name="Message">The scrubbed message.</param>
public readonly record struct KafkaLogMessage(KafkaLogLevel Level, string Client, string Facility, string Message);
