using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataWeaver.Hosting;

/// <summary>Adds the hosted pipelines to the application's health checks.</summary>
public static class DataWeaverHealthChecksBuilderExtensions
{
    /// <summary>The default name of the health check: <c>dataweaver</c>.</summary>
    public const string DefaultName = "dataweaver";

    /// <summary>
    /// Adds a <see cref="DataWeaverHealthCheck"/>, which reports every pipeline added with
    /// <see cref="DataWeaverServiceCollectionExtensions.AddDataWeaver"/> and its state.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name; the default is <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">What a failed pipeline reports; the default (<see langword="null"/>) is <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness); the default is none.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddDataWeaverHealthChecks(
        this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<DataWeaverHealthCheck>();
        return builder.Add(new HealthCheckRegistration(name, provider => provider.GetRequiredService<DataWeaverHealthCheck>(), failureStatus, tags));
    }
}
