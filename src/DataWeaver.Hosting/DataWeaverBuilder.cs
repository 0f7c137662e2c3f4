using DataWeaver.Hosting.Internal;
using DataWeaver.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace DataWeaver.Hosting;

/// <summary>
/// Adds pipelines and options to a host; the argument of
/// <see cref="DataWeaverServiceCollectionExtensions.AddDataWeaver(IServiceCollection, Action{DataWeaverBuilder})"/>.
/// </summary>
public sealed class DataWeaverBuilder
{
    private readonly HashSet<string> _names;

    internal DataWeaverBuilder(IServiceCollection services, HashSet<string> names)
    {
        Services = services;
        _names = names;
    }

    /// <summary>Gets the service collection, for extensions that register more services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds a pipeline that runs while the host runs: started when the host starts, drained when it stops. The factory
    /// runs once per run (again for each restart), so every run gets fresh connectors.
    /// </summary>
    /// <param name="name">
    /// The hosted name: in logs, health check data and <see cref="HostedPipelines"/>. Give the pipeline the same
    /// <see cref="PipelineOptions.Name"/>: that one tags its metrics. Names are not secrets; never put one in a name.
    /// </param>
    /// <param name="factory">Builds the pipeline from the application's services. MAY throw (a configuration error): the pipeline is then reported failed.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public DataWeaverBuilder AddPipeline(string name, Func<IServiceProvider, Pipeline> factory) => Add(name, factory, owner: null);

    /// <summary>Adds a pipeline whose factory depends on <paramref name="owner"/>, disposed once every hosted pipeline ended.</summary>
    internal DataWeaverBuilder Add(string name, Func<IServiceProvider, Pipeline> factory, IAsyncDisposable? owner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_names.Add(name))
        {
            throw new ArgumentException($"A pipeline named '{name}' was already added; hosted pipeline names must be unique.", nameof(name));
        }

        Services.AddSingleton(new PipelineRegistration(name, factory, owner));
        return this;
    }

    /// <summary>
    /// Exports the DataWeaver metrics with OpenTelemetry while the host runs: a meter provider subscribed to the
    /// DataWeaver meter (<see cref="DataWeaverMeterProviderBuilderExtensions.AddDataWeaverInstrumentation"/>), configured
    /// by <paramref name="configure"/> (add an exporter there, such as <c>AddOtlpExporter()</c>), built when the host
    /// starts and disposed when it stops, after the pipelines drained, so the last figures are exported. For an
    /// application that already has a meter provider, call <c>AddDataWeaverInstrumentation()</c> on it instead.
    /// </summary>
    /// <param name="configure">Adds exporters, readers, views or more meters.</param>
    /// <returns>This builder.</returns>
    public DataWeaverBuilder ExportMetrics(Action<MeterProviderBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton<IHostedService>(new TelemetryExportService(() =>
        {
            var builder = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddDataWeaverInstrumentation();
            configure(builder);
            return builder.Build();
        }));
        return this;
    }

    /// <summary>Configures the host options (drain timeout, restarts).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public DataWeaverBuilder Configure(Action<DataWeaverHostOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Binds the host options from configuration, for example <c>configuration.GetSection("DataWeaver")</c> with keys
    /// <c>DrainTimeout</c> (<c>00:00:30</c>), <c>MaxRestarts</c>, <c>RestartDelay</c>, <c>MaxRestartDelay</c>, <c>StopApplicationOnFailure</c>.
    /// </summary>
    /// <param name="section">The configuration section.</param>
    /// <returns>This builder.</returns>
    public DataWeaverBuilder Configure(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Services.Configure<DataWeaverHostOptions>(options => section.Bind(options));
        return this;
    }
}
