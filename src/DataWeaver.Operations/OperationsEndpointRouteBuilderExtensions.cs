using DataWeaver.Operations.Internal;
using DataWeaver.Operations.WebView;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DataWeaver.Operations;

/// <summary>Maps the DataWeaver operations endpoint into an ASP.NET Core app.</summary>
public static class OperationsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /metrics</c> (Prometheus exposition format), <c>GET /health/live</c>, <c>GET /health/ready</c>, the
    /// management API under <c>/api/pipelines</c>, <c>POST /reload</c> (when <see cref="OperatedPipelines.Reload"/> is set) its OpenAPI description at <c>GET /openapi.json</c> and the live web view at <c>GET /</c> (unless <see cref="OperationsOptions.WebView"/> is off). Needs
    /// <see cref="OperationsServiceCollectionExtensions.AddDataWeaverOperations(IServiceCollection, OperationsOptions?)"/>
    /// (or <see cref="OperationsServiceCollectionExtensions.AddDataWeaverOperations(IServiceCollection, OperatedPipelines, OperationsOptions?)"/>).
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <returns>The group of every endpoint mapped, to add conventions to (a host name, CORS, your own authorization).</returns>
    public static IEndpointConventionBuilder MapDataWeaverOperations(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<OperationsOptions>();
        var token = new BearerToken(options.BearerToken);
        var root = endpoints.MapGroup(string.Empty);

        endpoints.MapPrometheusScrapingEndpoint(
            "/metrics",
            meterProvider: null,
            configureBranchedPipeline: options.ProtectMetricsAndHealth
                ? branch => branch.Use(async (context, next) =>
                {
                    if (token.Allows(context))
                    {
                        await next(context).ConfigureAwait(false);
                        return;
                    }

                    await BearerToken.Challenge(context).ExecuteAsync(context).ConfigureAwait(false);
                })
                : null,
            optionsName: null);

        var health = root.MapGroup("/health");
        if (options.ProtectMetricsAndHealth)
        {
            health.AddEndpointFilterFactory(token.Filter);
        }

        health.MapGet("/live", ManagementApi.Live);
        health.MapGet("/ready", ManagementApi.Ready);

        var api = root.MapGroup("/api/pipelines");
        api.AddEndpointFilterFactory(token.Filter);
        api.MapGet(string.Empty, ManagementApi.List);
        api.MapGet("/{name}", ManagementApi.Get);
        api.MapPost("/{name}/pause", ManagementApi.PauseAsync);
        api.MapPost("/{name}/resume", ManagementApi.Resume);
        api.MapPost("/{name}/restart", ManagementApi.RestartAsync);
        api.MapPost("/{name}/stop", ManagementApi.StopAsync);

        root.MapPost("/reload", ManagementApi.ReloadAsync).AddEndpointFilterFactory(token.Filter);
        root.MapGet("/openapi.json", OpenApiDocument.Get);
        if (options.WebView)
        {
            root.MapGet("/", WebViewPage.Get);
        }

        return root;
    }
}
