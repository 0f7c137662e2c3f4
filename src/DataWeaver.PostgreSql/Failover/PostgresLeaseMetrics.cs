using System.Diagnostics.Metrics;
using DataWeaver.Diagnostics;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// The leases' instruments on the <c>DataWeaver</c> meter, tagged <c>dataweaver.lease</c> (the lease's name) and
/// <c>dataweaver.instance</c> (this instance's id): the gauges <c>dataweaver.postgres.lease.state</c> (0 idle, 1 standby,
/// 2 active; see <see cref="PostgresLeaseState"/>) and <c>dataweaver.postgres.lease.epoch</c> (the epoch held, 0 when none),
/// and the counters <c>dataweaver.postgres.lease.acquired</c> and <c>dataweaver.postgres.lease.lost</c>.
/// </summary>
internal static class PostgresLeaseMetrics
{
    public const string State = "dataweaver.postgres.lease.state";
    public const string Epoch = "dataweaver.postgres.lease.epoch";
    public const string Acquired = "dataweaver.postgres.lease.acquired";
    public const string Lost = "dataweaver.postgres.lease.lost";

    private static readonly Lock Gate = new();
    private static readonly HashSet<PostgresLease> Open = [];
    private static readonly Meter Meter = new(DataWeaverMeter.Name, DataWeaverMeter.Version);
    private static readonly Counter<long> AcquiredCounter = Meter.CreateCounter<long>(Acquired, "{acquisition}", "Times this instance acquired the lease.");
    private static readonly Counter<long> LostCounter = Meter.CreateCounter<long>(Lost, "{loss}", "Times this instance lost the lease (not renewed in time, or taken over).");

    static PostgresLeaseMetrics()
    {
        Meter.CreateObservableGauge(State, () => Observe(lease => (long)lease.State), "{state}", "The lease's state here: 0 idle, 1 standby, 2 active.");
        Meter.CreateObservableGauge(Epoch, () => Observe(lease => lease.Epoch), "{epoch}", "The lease epoch this instance holds; 0 when it holds none.");
    }

    public static void Add(PostgresLease lease)
    {
        lock (Gate)
        {
            Open.Add(lease);
        }
    }

    public static void Remove(PostgresLease lease)
    {
        lock (Gate)
        {
            Open.Remove(lease);
        }
    }

    public static void OnAcquired(PostgresLease lease) => AcquiredCounter.Add(1, Tags(lease));

    public static void OnLost(PostgresLease lease) => LostCounter.Add(1, Tags(lease));

    private static KeyValuePair<string, object?>[] Tags(PostgresLease lease) =>
        [new("dataweaver.lease", lease.Options.Name), new("dataweaver.instance", lease.Options.InstanceId)];

    private static IEnumerable<Measurement<long>> Observe(Func<PostgresLease, long> value)
    {
        PostgresLease[] leases;
        lock (Gate)
        {
            leases = [.. Open];
        }

        return leases.Select(lease => new Measurement<long>(value(lease), Tags(lease)));
    }
}
