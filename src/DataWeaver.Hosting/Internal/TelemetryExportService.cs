using Microsoft.Extensions.Hosting;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// Owns an OpenTelemetry provider of <see cref="DataWeaverBuilder.ExportMetrics"/> or
/// <see cref="DataWeaverBuilderTracingExtensions.ExportTraces"/>: built when the host starts, disposed (which exports what
/// is left) when it stops, after the pipelines drained (the pipelines' service is registered after it, so it stops first).
/// </summary>
internal sealed class TelemetryExportService(Func<IDisposable> build) : IHostedService, IDisposable
{
    private IDisposable? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _provider = build();
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
