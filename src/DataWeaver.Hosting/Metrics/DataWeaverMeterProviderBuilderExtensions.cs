using DataWeaver.Diagnostics;
using OpenTelemetry.Metrics;

namespace DataWeaver.Hosting;

/// <summary>Exports DataWeaver's metrics with OpenTelemetry.</summary>
public static class DataWeaverMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes the meter provider to the <see cref="DataWeaverMeter"/> (<c>DataWeaver</c>): every instrument of
    /// <see cref="DataWeaverInstruments"/>. The latency histogram brings its own bucket boundaries in seconds
    /// (0.5 ms to 60 s) as instrument advice, which OpenTelemetry uses unless a view overrides them.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddDataWeaverInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(DataWeaverMeter.Name);
    }
}
