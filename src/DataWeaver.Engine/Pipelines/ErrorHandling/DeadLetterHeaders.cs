namespace DataWeaver.Pipelines.ErrorHandling;

/// <summary>The names of the headers a dead-lettered record carries.</summary>
public static class DeadLetterHeaders
{
    /// <summary>The error class: <c>Transient</c>, <c>Data</c> or <c>Fatal</c>.</summary>
    public const string ErrorClass = "dw.error.class";

    /// <summary>The exception type's full name.</summary>
    public const string ErrorType = "dw.error.type";

    /// <summary>The exception message.</summary>
    public const string ErrorMessage = "dw.error.message";

    /// <summary>The stage that failed (<c>map2</c>, a sink's name).</summary>
    public const string Stage = "dw.stage";

    /// <summary>The source connector's name.</summary>
    public const string Source = "dw.source";

    /// <summary>The source partition of the record, or of its batch when the record's own is unknown.</summary>
    public const string SourcePartition = "dw.source.partition";

    /// <summary>The record's own source offset (a <see cref="Records.Record{TValue}"/>'s position), when known.</summary>
    public const string SourceOffset = "dw.source.offset";

    /// <summary>The resume offset of the source batch the record came from: the record is at or before it.</summary>
    public const string SourceBatchEnd = "dw.source.batch-end";

    /// <summary>How many times the stage tried the record.</summary>
    public const string Attempts = "dw.attempts";

    /// <summary>When the record was dead-lettered, ISO 8601 UTC.</summary>
    public const string Time = "dw.time";
}
