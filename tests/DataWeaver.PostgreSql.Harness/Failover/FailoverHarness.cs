using System.Runtime.InteropServices;
using DataWeaver.Connectors;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Failover;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Source;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Harness.Failover;

/// <summary>
/// One instance of an active/standby pipeline that failover tests start twice and kill, pause and stop:
/// <c>failover SOURCE-TABLE SINK-TABLE LEASE INSTANCE</c> runs, under the lease LEASE (duration 5 s, renewed every second, asked
/// for every 0.25 s), PostgresSource(SOURCE-TABLE by id, following, its position in a fenced PostgresCheckpointStore) -&gt;
/// PostgresSink(SINK-TABLE, upsert by id, connected with the grant's fenced connection string). Prints one line per state
/// change (<c>STATE Active epoch=N</c>, <c>STATE Standby reason=...</c>). SIGTERM stops it (a drain, then the lease is
/// released); exit code 0 then. The connection string comes from DATAWEAVER_PG_HARNESS_CONNECTION, the lease table from
/// DATAWEAVER_PG_LEASE_TABLE. <c>failover-cdc SLOT SINK-TABLE LEASE INSTANCE</c> reads instead the changes of the
/// publication and slot SLOT (PostgresCdcSource, its position the slot's on the server) and writes each insert's new row.
/// </summary>
internal static class FailoverHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: DataWeaver.PostgreSql.Harness failover SOURCE-TABLE SINK-TABLE LEASE INSTANCE | failover-cdc SLOT SINK-TABLE LEASE INSTANCE");
            return 2;
        }

        var connection = Environment.GetEnvironmentVariable("DATAWEAVER_PG_HARNESS_CONNECTION") ?? "";
        var (sourceTable, sinkTable, leaseName, instance) = (args[1], args[2], args[3], args[4]);
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        await using var lease = new PostgresLease(new PostgresLeaseOptions
        {
            ConnectionString = connection,
            Table = Environment.GetEnvironmentVariable("DATAWEAVER_PG_LEASE_TABLE") ?? PostgresLeaseOptions.DefaultTable,
            Name = leaseName,
            InstanceId = instance,
            Duration = TimeSpan.FromSeconds(5),
            RenewInterval = TimeSpan.FromSeconds(1),
            RetryInterval = TimeSpan.FromMilliseconds(250),
        });
        long seen = 0;
        var runner = new PostgresActiveStandby(lease, grant =>
        {
            var cdc = args[0] == "failover-cdc";
            SourceConnector<JsonRecord> source = cdc
                ? new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = connection, Slot = sourceTable, Publication = sourceTable })
                : new PostgresSource(new PostgresSourceOptions
                {
                    ConnectionString = connection,
                    Table = sourceTable,
                    KeyColumn = "id",
                    PageSize = 50,
                    Follow = true,
                    PollInterval = TimeSpan.FromMilliseconds(100),
                    CheckpointStore = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = connection, Fence = grant }),
                });
            return Pipeline.From(source, new PipelineOptions { Name = "failover-harness", CommitInterval = TimeSpan.Zero, MaxInFlightRecords = 128, BatchSize = 16 })
                .Map(record =>
                {
                    if (++seen % 2 == 0)
                    {
                        Thread.Sleep(1); // slows the run down so that kills and pauses land in its middle
                    }

                    if (!cdc)
                    {
                        return record;
                    }

                    // An insert's new row: {"op":"insert",...,"after":{"id":N,"payload":"item-N"}} -> {"id":N,"payload":"item-N"}
                    return record.TryGetInt64("after.id", out var id) && record.TryGetString("after.payload", out var payload)
                        ? JsonRecord.Parse($"{{\"id\":{id},\"payload\":\"{payload}\"}}")
                        : throw new InvalidOperationException("Not an insert of the failover test: " + record);
                })
                .ToPostgreSql(new PostgresSinkOptions
                {
                    ConnectionString = grant.FenceConnectionString(connection),
                    Table = sinkTable,
                    KeyColumns = ["id"],
                    Columns = ["id", "payload"],
                })
                .Build();
        });
        runner.StateChanged += (_, e) => Console.WriteLine($"STATE {e.Current} epoch={e.Epoch}{(e.Reason is null ? "" : " reason=" + e.Reason)}");
        var state = await runner.RunAsync(stop.Token);
        Console.WriteLine($"ENDED {state} {runner.Host?.LastError?.Message}");
        return stop.IsCancellationRequested ? 0 : 3;
    }
}
