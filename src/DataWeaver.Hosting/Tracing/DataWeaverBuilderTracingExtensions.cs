using DataWeaver.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace DataWeaver.Hosting;

/// <summary>Exports DataWeaver's traces from a host.</summary>
public static class DataWeaverBuilderTracingExtensions
{
    /// <summary>
    /// Exports DataWeaver's traces with OpenTelemetry while the host runs: a tracer provider
    /// (<see cref="DataWeaverTracerProviderBuilderExtensions.AddDataWeaverTracing"/>: parent-based sampling with the ratio,
    /// OTLP/HTTP to the endpoint), built when the host starts and disposed when it stops, after the pipelines drained, so
    /// the last spans are exported. For an application that already has a tracer provider, call
    /// <c>AddDataWeaverInstrumentation()</c> on it instead.
    /// </summary>
    /// <param name="builder">The DataWeaver builder.</param>
    /// <param name="options">The endpoint and ratio.</param>
    /// <param name="configure">Adds more exporters or sources; <see langword="null"/> for none.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static DataWeaverBuilder ExportTraces(this DataWeaverBuilder builder, DataWeaverTracingOptions options, Action<TracerProviderBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        builder.Services.AddSingleton<IHostedService>(new TelemetryExportService(() => DataWeaverTracerProviderBuilderExtensions.CreateTracerProvider(options, configure)));
        return builder;
    }
}
