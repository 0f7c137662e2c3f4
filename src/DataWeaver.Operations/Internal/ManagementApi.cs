using DataWeaver.Lifecycle;
using Microsoft.AspNetCore.Http;

namespace DataWeaver.Operations.Internal;

/// <summary>The handlers of the health endpoints and the management API, over <see cref="OperatedPipelines"/>.</summary>
internal static class ManagementApi
{
    public static IResult Live(OperatedPipelines pipelines) =>
        Results.Ok(new HealthView("live", States(pipelines)));

    public static IResult Ready(OperatedPipelines pipelines) => pipelines.IsReady
        ? Results.Ok(new HealthView("ready", States(pipelines)))
        : Results.Json(new HealthView("not ready", States(pipelines)), statusCode: StatusCodes.Status503ServiceUnavailable);

    public static IResult List(OperatedPipelines pipelines) =>
        Results.Ok(pipelines.Hosts.Select(PipelineSummaryView.From).ToList());

    public static IResult Get(OperatedPipelines pipelines, string name) =>
        pipelines.Find(name) is { } host ? Results.Ok(PipelineDetailView.From(host)) : Problems.NotFound(name);

    public static async Task<IResult> PauseAsync(OperatedPipelines pipelines, string name, CancellationToken cancellationToken)
    {
        if (pipelines.Find(name) is not { } host)
        {
            return Problems.NotFound(name);
        }

        if (host.State is not (PipelineState.Running or PipelineState.Pausing or PipelineState.Paused))
        {
            return Problems.Conflict($"Pipeline '{name}' is {PipelineStates.Label(host.State)}; only a running pipeline can be paused.");
        }

        await host.PauseAsync(cancellationToken).ConfigureAwait(false);
        return Results.Ok(PipelineSummaryView.From(host));
    }

    public static IResult Resume(OperatedPipelines pipelines, string name)
    {
        if (pipelines.Find(name) is not { } host)
        {
            return Problems.NotFound(name);
        }

        if (host.State is not (PipelineState.Pausing or PipelineState.Paused or PipelineState.Running))
        {
            return Problems.Conflict($"Pipeline '{name}' is {PipelineStates.Label(host.State)}; only a paused pipeline can be resumed.");
        }

        host.Resume();
        return Results.Ok(PipelineSummaryView.From(host));
    }

    public static async Task<IResult> RestartAsync(OperatedPipelines pipelines, string name, CancellationToken cancellationToken)
    {
        if (pipelines.Find(name) is not { } host)
        {
            return Problems.NotFound(name);
        }

        if (host.State == PipelineState.Draining)
        {
            return Problems.Conflict($"Pipeline '{name}' is draining; wait for its end, then start it again.");
        }

        // A client that hangs up does not turn the drain into an abort: the restart goes on, only the answer is dropped.
        try
        {
            await pipelines.RestartAsync(host, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            return Problems.Conflict(exception.Message);
        }

        return host.State == PipelineState.Failed
            ? Problems.Failed($"Pipeline '{name}' could not be started again (stage {host.LastErrorStage}, {host.LastError?.GetType().Name}).")
            : Results.Ok(PipelineSummaryView.From(host));
    }

    public static async Task<IResult> StopAsync(OperatedPipelines pipelines, string name, CancellationToken cancellationToken)
    {
        if (pipelines.Find(name) is not { } host)
        {
            return Problems.NotFound(name);
        }

        // A drain (the drain timeout aborts it); a client that hangs up does not abort it.
        host.RequestStop();
        await host.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Results.Ok(PipelineSummaryView.From(host));
    }

    public static async Task<IResult> ReloadAsync(OperatedPipelines pipelines, CancellationToken cancellationToken)
    {
        if (pipelines.Reload is not { } reload)
        {
            return Problems.ReloadUnavailable();
        }

        // A client that hangs up does not cancel the reload: drains and starts go on, only the answer is dropped.
        var result = await reload(CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        return result switch
        {
            { Succeeded: true } => Results.Ok(ReloadView.From(result)),
            { IsInvalidDefinition: true } => Problems.InvalidDefinition(result.Error!),
            _ => Problems.Conflict(result.Error!),
        };
    }

    private static List<PipelineStateView> States(OperatedPipelines pipelines) =>
        [.. pipelines.Hosts.Select(static h => new PipelineStateView(h.Name, PipelineStates.Label(h.State)))];
}
