using DataWeaver.Tracing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataWeaver.Hosting;

/// <summary>Exports DataWeaver's traces with OpenTelemetry.</summary>
public static class DataWeaverTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes the tracer provider to the <see cref="DataWeaverActivitySource"/> (<c>DataWeaver</c>): batch, stage and
    /// write spans. The provider's sampler decides about every batch (the engine offers each one; OpenTelemetry's SDK
    /// allocates an <see cref="System.Diagnostics.Activity"/> even for those it drops). To make unsampled batches free, use
    /// <see cref="AddDataWeaverInstrumentation(TracerProviderBuilder, double)"/>.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddDataWeaverInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(DataWeaverActivitySource.Name);
    }

    /// <summary>
    /// Subscribes the tracer provider to DataWeaver's spans and lets the engine decide which batches are traced while the
    /// provider lives (<see cref="DataWeaverActivitySource.SampleRatio"/>, parent-based with <paramref name="sampleRatio"/> for
    /// new traces): a batch not kept costs no <see cref="System.Diagnostics.Activity"/> and allocates nothing. The provider's
    /// sampler then sees only kept batches: give it a <see cref="DataWeaverSampler"/> as the root of its
    /// <see cref="ParentBasedSampler"/>, or the provider's own ratio applies a second time to DataWeaver's new traces.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="sampleRatio">The share of new traces the engine keeps, 0 to 1.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleRatio"/> is outside 0 to 1.</exception>
    public static TracerProviderBuilder AddDataWeaverInstrumentation(this TracerProviderBuilder builder, double sampleRatio)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (double.IsNaN(sampleRatio) || sampleRatio is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRatio), sampleRatio, "The sample ratio must be between 0 and 1.");
        }

        return builder.AddDataWeaverInstrumentation().AddProcessor(_ => new HeadSamplingProcessor(sampleRatio));
    }

    /// <summary>
    /// Subscribes to DataWeaver's spans with the engine deciding which batches are traced
    /// (<see cref="AddDataWeaverInstrumentation(TracerProviderBuilder, double)"/> with
    /// <see cref="DataWeaverTracingOptions.SampleRatio"/>: parent-based, the ratio for new traces, unsampled batches free),
    /// samples other sources' spans parent-based with the same ratio (a <see cref="ParentBasedSampler"/> over a
    /// <see cref="DataWeaverSampler"/> over a <see cref="TraceIdRatioBasedSampler"/>), names the service, and exports over
    /// OTLP/HTTP (protobuf) to <see cref="DataWeaverTracingOptions.OtlpEndpoint"/> when one is set (a batch exporter: spans
    /// leave in the background).
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
        builder.AddDataWeaverInstrumentation(options.SampleRatio)
            .SetSampler(new ParentBasedSampler(new DataWeaverSampler(new TraceIdRatioBasedSampler(options.SampleRatio))))
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
