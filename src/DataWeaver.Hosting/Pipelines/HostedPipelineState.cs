namespace DataWeaver.Hosting;

/// <summary>Where a hosted pipeline is in its life.</summary>
public enum HostedPipelineState
{
    /// <summary>The host has not started it yet.</summary>
    Starting,

    /// <summary>A run is reading, processing and writing.</summary>
    Running,

    /// <summary>The host is stopping: the run drains (the source stopped reading, what was read is being delivered and committed).</summary>
    Draining,

    /// <summary>The run failed and the pipeline starts again after a delay (<see cref="DataWeaverHostOptions.MaxRestarts"/>).</summary>
    Restarting,

    /// <summary>The source ran out: every record was delivered and committed. The pipeline is not started again.</summary>
    Completed,

    /// <summary>The host stopped and the drain finished: every record read was delivered and committed.</summary>
    Stopped,

    /// <summary>The host stopped and the drain did not finish in time: the run was aborted (what was acknowledged was committed).</summary>
    Aborted,

    /// <summary>The run failed (or the pipeline could not be built) and no restart is left.</summary>
    Failed,
}
