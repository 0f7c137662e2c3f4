using System.Diagnostics.Metrics;
using DataWeaver.Diagnostics;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>
/// The change data capture sources' gauge on the <c>DataWeaver</c> meter: <c>dataweaver.postgres.cdc.slot_lag</c>
/// (bytes of WAL the server sent or reported beyond the slot's confirmed position, see
/// <see cref="PostgresCdcSource.SlotLagBytes"/>), one measurement per open source, tagged <c>dataweaver.slot</c> and
/// <c>dataweaver.source</c> (names only, never a connection string).
/// </summary>
internal static class PostgresCdcMetrics
{
    public const string SlotLag = "dataweaver.postgres.cdc.slot_lag";

    private static readonly Lock Gate = new();
    private static readonly HashSet<PostgresCdcSource> Open = [];
    private static readonly Meter Meter = new(DataWeaverMeter.Name, DataWeaverMeter.Version);

    static PostgresCdcMetrics() =>
        Meter.CreateObservableGauge(SlotLag, Observe, "By", "WAL the server sent or reported beyond the replication slot's confirmed position.");

    public static void Add(PostgresCdcSource source)
    {
        lock (Gate)
        {
            Open.Add(source);
        }
    }

    public static void Remove(PostgresCdcSource source)
    {
        lock (Gate)
        {
            Open.Remove(source);
        }
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        PostgresCdcSource[] sources;
        lock (Gate)
        {
            sources = [.. Open];
        }

        return sources.Select(source => new Measurement<long>(source.SlotLagBytes, new KeyValuePair<string, object?>("dataweaver.slot", source.Options.Slot), new KeyValuePair<string, object?>("dataweaver.source", source.Name)));
    }
}
