using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// Owns the OpenTelemetry meter provider of <see cref="DataWeaverBuilder.ExportMetrics"/>: built when the host starts,
/// disposed (which exports what is left) when it stops, after the pipelines drained.
/// </summary>
internal sealed class MetricsExportService(Action<MeterProviderBuilder> configure) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = Sdk.CreateMeterProviderBuilder().AddDataWeaverInstrumentation();
        configure(builder);
        _provider = builder.Build();
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
