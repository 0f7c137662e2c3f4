namespace DataWeaver.Errors;

/// <summary>How a failure should be treated by the pipeline's error policies.</summary>
public enum ErrorClass
{
    /// <summary>The operation may succeed if retried (a timeout, a broker that is briefly down).</summary>
    Transient,

    /// <summary>The record itself is bad (malformed, oversized); retrying cannot help. The record goes to the dead-letter target or is skipped.</summary>
    Data,

    /// <summary>The pipeline cannot go on (misconfiguration, lost credentials, a bug). The pipeline stops.</summary>
    Fatal,
}
