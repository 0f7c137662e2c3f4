namespace DataWeaver.Configuration;

/// <summary>What a connector is for in a pipeline definition.</summary>
public enum ConnectorRole
{
    /// <summary>The pipeline's source.</summary>
    Source,

    /// <summary>One of the pipeline's sinks.</summary>
    Sink,

    /// <summary>The target of the pipeline's dead letters (<c>errors.deadLetter</c>); any sink type can be one.</summary>
    DeadLetter,
}
