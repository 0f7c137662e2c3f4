using DataWeaver.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace DataWeaver.Operations;

/// <summary>Registers what the operations endpoint needs: the pipelines it drives, its options and the Prometheus exporter.</summary>
public static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the operations endpoint over the pipelines of <c>AddDataWeaver</c> (<see cref="HostedPipelines"/>), and
    /// an OpenTelemetry meter provider with the DataWeaver meter and the Prometheus exporter. Map it with
    /// <see cref="OperationsEndpointRouteBuilderExtensions.MapDataWeaverOperations"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The bearer token and what it protects; <see langword="null"/> uses the defaults (no token).</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddDataWeaverOperations(this IServiceCollection services, OperationsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(static provider =>
        {
            var hosted = provider.GetRequiredService<HostedPipelines>();
            return new OperatedPipelines(hosted.GetHosts, (host, cancellationToken) => hosted.RestartAsync(host.Name, cancellationToken));
        });
        return AddCommon(services, options);
    }

    /// <summary>
    /// Registers the operations endpoint over pipelines of your own (hosts you run), and an OpenTelemetry meter
    /// provider with the DataWeaver meter and the Prometheus exporter. Map it with
    /// <see cref="OperationsEndpointRouteBuilderExtensions.MapDataWeaverOperations"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="pipelines">The pipelines the endpoint reports and drives.</param>
    /// <param name="options">The bearer token and what it protects; <see langword="null"/> uses the defaults (no token).</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddDataWeaverOperations(this IServiceCollection services, OperatedPipelines pipelines, OperationsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(pipelines);
        services.AddSingleton(pipelines);
        return AddCommon(services, options);
    }

    private static IServiceCollection AddCommon(IServiceCollection services, OperationsOptions? options)
    {
        services.AddSingleton(options ?? new OperationsOptions());
        services.AddOpenTelemetry().WithMetrics(static metrics => metrics
            .AddDataWeaverInstrumentation()
            .AddPrometheusExporter());
        return services;
    }
}
