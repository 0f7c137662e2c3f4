using System.Collections.Concurrent;
using System.Globalization;
using DataWeaver.Lifecycle;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataWeaver.Hosting;

/// <summary>
/// Reports every hosted pipeline: <see cref="HealthStatus.Healthy"/> while running (or completed or stopped after a
/// drain), <see cref="HealthStatus.Degraded"/> while draining, waiting to restart, retrying transient errors (its retry
/// count rose since the previous check) or after an aborted drain, <see cref="HealthStatus.Unhealthy"/> once failed.
/// The result is the worst of them. Its data has, per pipeline, <c>NAME</c> (the state) and <c>NAME.records_read</c>,
/// <c>NAME.records_written</c>, <c>NAME.errors</c>, <c>NAME.dead_lettered</c>, <c>NAME.retries</c>, and for a failure
/// <c>NAME.error</c> (class, stage and exception type; never the message, which may come from a connector).
/// Added by <see cref="DataWeaverHealthChecksBuilderExtensions.AddDataWeaverHealthChecks"/>.
/// </summary>
public sealed class DataWeaverHealthCheck : IHealthCheck
{
    private readonly HostedPipelines _pipelines;
    private readonly ConcurrentDictionary<string, long> _retriesSeen = new(StringComparer.Ordinal);

    /// <summary>Creates the health check.</summary>
    /// <param name="pipelines">The hosted pipelines.</param>
    public DataWeaverHealthCheck(HostedPipelines pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        _pipelines = pipelines;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var worst = HealthStatus.Healthy;
        Dictionary<string, object> data = [];
        List<string> notes = [];
        foreach (var status in _pipelines.GetStatus())
        {
            var (health, note) = Assess(status, data);
            if (health < worst)
            {
                worst = health;
            }

            notes.Add($"{status.Name}: {note}");
        }

        var description = notes.Count == 0 ? "no pipelines are hosted" : string.Join("; ", notes);
        var result = worst == HealthStatus.Healthy ? HealthCheckResult.Healthy(description, data)
            : worst == HealthStatus.Degraded ? HealthCheckResult.Degraded(description, data: data)
            : new HealthCheckResult(context.Registration.FailureStatus, description, data: data);
        return Task.FromResult(result);
    }

    private (HealthStatus Health, string Note) Assess(HostedPipelineStatus status, Dictionary<string, object> data)
    {
        var name = status.Name;
        data[name] = status.State.ToString();
        long retries = 0;
        if (status.Run is { } run)
        {
            var statistics = run.Statistics;
            retries = statistics.Retries;
            data[name + ".records_read"] = statistics.RecordsRead;
            data[name + ".records_written"] = statistics.RecordsWritten;
            data[name + ".errors"] = statistics.Errors;
            data[name + ".dead_lettered"] = statistics.RecordsDeadLettered;
            data[name + ".retries"] = retries;
        }

        var retrying = status.State == PipelineState.Running && retries > _retriesSeen.GetValueOrDefault(name);
        _retriesSeen[name] = retries;
        var failure = "no error recorded";
        if (status.LastError is { } error)
        {
            failure = string.Create(CultureInfo.InvariantCulture, $"{status.LastErrorClass} error in stage '{status.LastErrorStage}': {error.GetType().Name}");
            data[name + ".error"] = failure;
        }

        return status.State switch
        {
            PipelineState.Failed => (HealthStatus.Unhealthy, $"failed ({failure})"),
            PipelineState.Restarting => (HealthStatus.Degraded, $"restarting after a failure (restart {status.Restarts})"),
            PipelineState.Draining => (HealthStatus.Degraded, "draining"),
            PipelineState.Aborted => (HealthStatus.Degraded, "aborted: its drain did not finish in time"),
            PipelineState.Running when retrying => (HealthStatus.Degraded, "running, retrying transient errors"),
            PipelineState.Pausing or PipelineState.Paused => (HealthStatus.Degraded, PipelineStates.Label(status.State)),
            _ => (HealthStatus.Healthy, PipelineStates.Label(status.State)),
        };
    }
}
