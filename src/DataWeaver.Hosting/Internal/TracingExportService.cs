using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// Owns the tracer provider of <see cref="DataWeaverBuilderTracingExtensions.ExportTraces"/>: built when the host starts,
/// disposed (which exports what is left) when it stops, after the pipelines drained.
/// </summary>
internal sealed class TracingExportService(DataWeaverTracingOptions options, Action<TracerProviderBuilder>? configure) : IHostedService, IDisposable
{
    private TracerProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _provider = DataWeaverTracerProviderBuilderExtensions.CreateTracerProvider(options, configure);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _provider, null)?.Dispose();
    }
}
