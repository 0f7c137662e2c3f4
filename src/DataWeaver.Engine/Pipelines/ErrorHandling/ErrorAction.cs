namespace DataWeaver.Pipelines.ErrorHandling;

/// <summary>What happens to a record whose error is not retried, or whose retries ran out.</summary>
public enum ErrorAction
{
    /// <summary>The pipeline stops with the error (the default).</summary>
    Fail,

    /// <summary>The record is dropped, counted in <see cref="PipelineStatistics.RecordsSkipped"/>, and acknowledged.</summary>
    Skip,

    /// <summary>The record goes to the dead-letter sink with its error; it counts as handled once that write succeeded.</summary>
    DeadLetter,
}
