using DataWeaver.Tracing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataWeaver.Hosting;

/// <summary>Exports DataWeaver's traces with OpenTelemetry.</summary>
public static class DataWeaverTracerProviderBuilderExtensions
{
    /// <summary>Subscribes the tracer provider to the <see cref="DataWeaverActivitySource"/> (<c>DataWeaver</c>): batch, stage and write spans.</summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddDataWeaverInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(DataWeaverActivitySource.Name);
    }

    /// <summary>
    /// Subscribes to DataWeaver's spans (<see cref="AddDataWeaverInstrumentation"/>), samples parent-based with
    /// <see cref="DataWeaverTracingOptions.SampleRatio"/> for new traces (OpenTelemetry's <see cref="ParentBasedSampler"/> over a
    /// <see cref="TraceIdRatioBasedSampler"/>), names the service, and exports over OTLP/HTTP (protobuf) to
    /// <see cref="DataWeaverTracingOptions.OtlpEndpoint"/> when one is set (a batch exporter: spans leave in the background).
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="options">The endpoint and ratio.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="DataWeaverTracingOptions.Validate"/>).</exception>
    public static TracerProviderBuilder AddDataWeaverTracing(this TracerProviderBuilder builder, DataWeaverTracingOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        builder.AddDataWeaverInstrumentation()
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SampleRatio)))
            .ConfigureResource(resource => resource.AddService(options.ServiceName));
        if (options.TracesEndpoint() is { } endpoint)
        {
            builder.AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = endpoint;
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            });
        }

        return builder;
    }

    /// <summary>
    /// Builds a tracer provider of DataWeaver's spans (<see cref="AddDataWeaverTracing"/>) outside a host, as the CLI does.
    /// Dispose it at the end: that exports the spans still buffered.
    /// </summary>
    /// <param name="options">The endpoint and ratio.</param>
    /// <param name="configure">Adds more sources or exporters; <see langword="null"/> for none.</param>
    /// <returns>The tracer provider.</returns>
    public static TracerProvider CreateTracerProvider(DataWeaverTracingOptions options, Action<TracerProviderBuilder>? configure = null)
    {
        var builder = Sdk.CreateTracerProviderBuilder().AddDataWeaverTracing(options);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
