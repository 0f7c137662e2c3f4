using DataWeaver.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DataWeaver.Hosting;

/// <summary>Runs DataWeaver pipelines in a .NET Generic Host.</summary>
public static class DataWeaverServiceCollectionExtensions
{
    /// <summary>
    /// Adds DataWeaver to the host: the pipelines added in <paramref name="configure"/> start when the host starts (each
    /// in a loop of its own, logged through <c>ILogger</c>), drain within <see cref="DataWeaverHostOptions.DrainTimeout"/>
    /// when it stops, and are reported by <see cref="HostedPipelines"/> and the health check
    /// (<see cref="DataWeaverHealthChecksBuilderExtensions.AddDataWeaverHealthChecks"/>). The options are validated when
    /// the host starts. May be called more than once; the pipelines add up.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds pipelines and sets options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddDataWeaver(this IServiceCollection services, Action<DataWeaverBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var names = services.Where(d => d.ServiceType == typeof(PipelineRegistration) && d.ImplementationInstance is PipelineRegistration)
            .Select(d => ((PipelineRegistration)d.ImplementationInstance!).Name)
            .ToHashSet(StringComparer.Ordinal);
        configure(new DataWeaverBuilder(services, names));

        services.AddOptions<DataWeaverHostOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataWeaverHostOptions>, DataWeaverHostOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static provider =>
        {
            var logger = (provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(HostingLog.Category);
            var time = provider.GetRequiredService<TimeProvider>();
            return new HostedPipelines(provider.GetServices<PipelineRegistration>().Select(r => new PipelineRunner(r, provider, logger, time)));
        });
        // Registered after whatever configure added (a metrics exporter), so it stops first: pipelines drain, then exporters flush.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DataWeaverHostedService>());
        return services;
    }
}
