using System.Globalization;

namespace DataWeaver.Hosting;

/// <summary>
/// Where DataWeaver's traces go and how many are kept: the settings of
/// <see cref="DataWeaverTracerProviderBuilderExtensions.AddDataWeaverTracing"/>, <c>ExportTraces</c> and the CLI's
/// <c>--otlp-endpoint</c> / <c>--trace-sample-ratio</c>. Immutable.
/// </summary>
public sealed record DataWeaverTracingOptions
{
    /// <summary>The path an OTLP/HTTP collector receives traces on: <c>/v1/traces</c>.</summary>
    public const string OtlpTracesPath = "/v1/traces";

    /// <summary>Gets the OTLP/HTTP (protobuf) endpoint of a collector, such as <c>http://otel-collector:4318</c>.</summary>
    /// <value>
    /// The default is <see langword="null"/>: no OTLP exporter (add your own exporter in the <c>configure</c> callback).
    /// An endpoint without a path gets <see cref="OtlpTracesPath"/>; one with a path is used as it is.
    /// </value>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Gets the share of new traces sampled (a batch whose first record carries no trace context starts one).</summary>
    /// <value>
    /// The default is 0.01 (1 %), from 0 (none) to 1 (all). Sampling is parent-based: a batch whose first record carries
    /// a context follows that context's sampled flag, so a trace sampled upstream is followed through every pipeline. The
    /// engine itself decides, before the tracer provider is asked (<c>DataWeaverActivitySource.SampleRatio</c>, set while the
    /// provider lives): a batch not kept costs no <c>Activity</c> and allocates nothing.
    /// </value>
    public double SampleRatio { get; init; } = 0.01;

    /// <summary>Gets the service name traces are reported under (the OpenTelemetry resource's <c>service.name</c>).</summary>
    /// <value>The default is <c>dataweaver</c>.</value>
    public string ServiceName { get; init; } = "dataweaver";

    /// <summary>Gets the endpoint the exporter posts to: <see cref="OtlpEndpoint"/>, with <see cref="OtlpTracesPath"/> when it has no path.</summary>
    /// <returns>The endpoint, or <see langword="null"/> without <see cref="OtlpEndpoint"/>.</returns>
    public Uri? TracesEndpoint() =>
        OtlpEndpoint is not { } endpoint ? null
        : endpoint.AbsolutePath is "/" or "" ? new Uri(endpoint, OtlpTracesPath)
        : endpoint;

    /// <summary>Checks the options, listing every failure.</summary>
    /// <exception cref="ArgumentException">The ratio is outside 0 to 1, the endpoint is not an absolute http(s) URL, or the service name is empty.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (double.IsNaN(SampleRatio) || SampleRatio is < 0 or > 1)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"SampleRatio must be between 0 and 1; it is {SampleRatio}."));
        }

        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            failures.Add("OtlpEndpoint must be an absolute http or https URL, such as http://127.0.0.1:4318.");
        }

        if (string.IsNullOrWhiteSpace(ServiceName))
        {
            failures.Add("ServiceName must not be empty.");
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid tracing options: " + string.Join(" ", failures));
        }
    }
}
