using DataWeaver.Hosting;
using OpenTelemetry.Trace;

namespace DataWeaver.Cli.Run;

/// <summary><c>dataweaver run --otlp-endpoint URL [--trace-sample-ratio R]</c>: DataWeaver's traces exported for the run (docs/tracing.md).</summary>
internal static class RunTracing
{
    /// <summary>Starts the tracer provider when an endpoint is given; <see langword="false"/> (the error printed) when the settings are invalid.</summary>
    public static bool TryStart(CliContext context, string? endpoint, double sampleRatio, out TracerProvider? provider)
    {
        provider = null;
        if (endpoint is null)
        {
            return true;
        }

        try
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                throw new ArgumentException("OtlpEndpoint must be an absolute http or https URL, such as http://127.0.0.1:4318.");
            }

            var options = new DataWeaverTracingOptions { OtlpEndpoint = uri, SampleRatio = sampleRatio };
            provider = DataWeaverTracerProviderBuilderExtensions.CreateTracerProvider(options);
            var traces = options.TracesEndpoint()!;
            context.Error.WriteLine($"traces to {traces.Scheme}://{traces.Authority}{traces.AbsolutePath} (OTLP/HTTP), new traces sampled at {sampleRatio:0.####}"); // no user info, no query
            return true;
        }
        catch (ArgumentException exception)
        {
            context.Error.WriteLine($"error: --otlp-endpoint/--trace-sample-ratio: {exception.Message}");
            return false;
        }
    }
}
