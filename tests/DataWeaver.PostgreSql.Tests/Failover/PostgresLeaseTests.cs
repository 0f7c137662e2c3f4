using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Failover;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Configuration;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;
using Npgsql;

namespace DataWeaver.PostgreSql.Tests.Failover;

/// <summary>The lease on the real server, in one process: one holder at a time, epochs, release, loss when renewals cannot get through, the fence trigger, the active/standby runner.</summary>
public sealed class PostgresLeaseTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TryAcquireAsync_WhileAnotherHoldsIt_StandbyUntilReleasedThenTheNextEpoch()
    {
        var table = PostgresServer.UniqueName("leases");
        await using var a = Lease(table, "orders", "a");
        await using var b = Lease(table, "orders", "b");

        var first = await a.TryAcquireAsync();
        var refused = await b.TryAcquireAsync();
        Assert.NotNull(first);
        Assert.Null(refused);
        Assert.Equal(PostgresLeaseState.Active, a.State);
        Assert.Equal(PostgresLeaseState.Standby, b.State);
        Assert.Equal(1, first.Epoch);

        await first.ReleaseAsync();
        var second = await b.AcquireAsync().WaitAsync(Guard);

        Assert.False(first.IsHeld);
        Assert.False(first.IsLost);
        Assert.True(first.Token.IsCancellationRequested);
        Assert.Equal(2, second.Epoch);
        Assert.Equal(PostgresLeaseState.Idle, a.State);
        var row = await b.ReadAsync();
        Assert.Equal(("b", 2L, false), (row!.Holder, row.Epoch, row.IsExpired));
    }

    [Fact]
    public async Task Renewal_BlockedUntilTheLeaseWouldExpire_LostThenTakenOverWithTheNextEpoch()
    {
        var table = PostgresServer.UniqueName("leases");
        await using var a = Lease(table, "orders", "a", TimeSpan.FromSeconds(2));
        await using var b = Lease(table, "orders", "b", TimeSpan.FromSeconds(2));
        var grant = await a.AcquireAsync().WaitAsync(Guard);

        // A partition between the holder and the server: its renewals hang (the row is locked by another session).
        await using (var partition = new NpgsqlConnection(database.Admin))
        {
            await partition.OpenAsync();
            await using var transaction = await partition.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM {table} WHERE name = 'orders' FOR UPDATE", partition, transaction))
            {
                await lockRow.ExecuteNonQueryAsync();
            }

            await grant.Ended.WaitAsync(Guard);
            Assert.True(grant.IsLost);
            Assert.Contains("no renewal succeeded within 2 s", grant.LossReason, StringComparison.Ordinal);
        }

        var next = await b.AcquireAsync().WaitAsync(Guard);
        Assert.Equal(2, next.Epoch);
    }

    [Fact]
    public async Task FenceTrigger_WritesOfTheHolder_AcceptedAndThoseOfADeposedOrUnfencedSession_Refused()
    {
        var leases = PostgresServer.UniqueName("leases");
        var orders = PostgresServer.UniqueName("orders");
        await database.ExecuteAsync($"CREATE TABLE {orders} (id bigint PRIMARY KEY)");
        await using var a = Lease(leases, "orders", "a", TimeSpan.FromSeconds(2));
        await using var b = Lease(leases, "orders", "b", TimeSpan.FromSeconds(2));
        await a.InstallFenceAsync(orders);
        var first = await a.AcquireAsync().WaitAsync(Guard);
        var fenced = first.FenceConnectionString(database.Admin);

        await PostgresServer.ExecuteAsync(fenced, $"INSERT INTO {orders} VALUES (1)");
        var unfenced = await Assert.ThrowsAsync<PostgresException>(() => PostgresServer.ExecuteAsync(database.Admin, $"INSERT INTO {orders} VALUES (2)"));
        Assert.Equal(PostgresLeaseLostException.FenceSqlState, unfenced.SqlState);

        // a loses the lease (its renewals are refused once b holds a newer epoch): b takes over.
        await database.ExecuteAsync($"UPDATE {leases} SET expires_at = clock_timestamp()");
        var second = await b.AcquireAsync().WaitAsync(Guard);
        var deposed = await Assert.ThrowsAsync<PostgresException>(() => PostgresServer.ExecuteAsync(fenced, $"DELETE FROM {orders}"));
        await PostgresServer.ExecuteAsync(second.FenceConnectionString(database.Admin), $"INSERT INTO {orders} VALUES (3)");
        await first.Ended.WaitAsync(Guard);

        Assert.Equal(PostgresLeaseLostException.FenceSqlState, deposed.SqlState);
        Assert.Contains("does not hold the current epoch of the lease 'orders'", deposed.MessageText, StringComparison.Ordinal);
        Assert.True(first.IsLost);
        Assert.Equal([1L, 3L], (await database.QueryAsync($"SELECT id FROM {orders} ORDER BY id")).Select(r => (long)r[0]!));
    }

    [Fact]
    public async Task ActiveStandby_ActiveStopped_StandbyTakesOverFromTheLastCommitAtOnce()
    {
        var rows = PostgresServer.UniqueName("rows");
        var leases = PostgresServer.UniqueName("leases");
        var checkpoints = PostgresServer.UniqueName("cp");
        await database.ExecuteAsync($"CREATE TABLE {rows} (id bigint PRIMARY KEY); INSERT INTO {rows} SELECT generate_series(1, 40);");
        var written = new List<(string Instance, long Id)>();
        PostgresActiveStandby Runner(PostgresLease lease) => new(lease, grant =>
        {
            var source = new PostgresSource(new PostgresSourceOptions
            {
                ConnectionString = database.Admin,
                Table = rows,
                KeyColumn = "id",
                PageSize = 5,
                Follow = true,
                PollInterval = TimeSpan.FromMilliseconds(20),
                CheckpointStore = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = database.Admin, Table = checkpoints, Fence = grant }),
            });
            var sink = new CollectionSink<JsonRecord>("out");
            return Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 4 })
                .Map(record =>
                {
                    lock (written)
                    {
                        written.Add((grant.InstanceId, JsonIds.Id(record)));
                    }

                    return record;
                })
                .To(sink)
                .Build();
        });
        await using var leaseA = Lease(leases, "rows", "a");
        await using var leaseB = Lease(leases, "rows", "b");
        var a = Runner(leaseA);
        var b = Runner(leaseB);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = a.RunAsync(stopA.Token);
        await WaitForAsync(() => Count(written) >= 40);
        var runB = b.RunAsync(stopB.Token);
        await WaitForAsync(() => b.State == PostgresActiveStandbyState.Standby);
        await stopA.CancelAsync();
        Assert.Equal(PipelineState.Stopped, await runA.WaitAsync(Guard));
        await WaitForAsync(() => b.State == PostgresActiveStandbyState.Active);
        await database.ExecuteAsync($"INSERT INTO {rows} SELECT generate_series(41, 50)");
        await WaitForAsync(() => Count(written) >= 50);
        await stopB.CancelAsync();
        Assert.Equal(PipelineState.Stopped, await runB.WaitAsync(Guard));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => ("a", (long)i)), written.Take(40));
        Assert.Equal(Enumerable.Range(41, 10).Select(i => ("b", (long)i)), written.Skip(40));
        Assert.Equal(1, b.Activations);
        Assert.Equal(2L, (await leaseB.ReadAsync())!.Epoch);
    }

    [Fact]
    public async Task MetricsAndLogs_AcquireAndRelease_StateEpochAndCountersReportedNamesOnly()
    {
        var name = PostgresServer.UniqueName("metrics");
        var measured = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name.StartsWith("dataweaver.postgres.lease.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "dataweaver.lease" && (string?)tag.Value == name)
                {
                    measured.AddOrUpdate(instrument.Name, value, (_, old) => instrument.Name.EndsWith(".acquired", StringComparison.Ordinal) ? old + value : value);
                }
            }
        });
        listener.Start();
        var logs = new ListLoggerFactory();
        await using var lease = new PostgresLease(new PostgresLeaseOptions
        {
            ConnectionString = database.Admin, Table = PostgresServer.UniqueName("leases"), Name = name, InstanceId = "m1", Logger = logs.CreateLogger("lease"),
        });

        var grant = await lease.AcquireAsync().WaitAsync(Guard);
        listener.RecordObservableInstruments();
        var active = (measured.GetValueOrDefault("dataweaver.postgres.lease.state"), measured.GetValueOrDefault("dataweaver.postgres.lease.epoch"), measured.GetValueOrDefault("dataweaver.postgres.lease.acquired"));
        await grant.ReleaseAsync();
        listener.RecordObservableInstruments();

        Assert.Equal((2L, 1L, 1L), active);
        Assert.Equal(0L, measured["dataweaver.postgres.lease.state"]);
        Assert.Equal(0L, measured["dataweaver.postgres.lease.epoch"]);
        Assert.Contains(logs.Lines, line => line.Contains($"Lease '{name}': m1 is active (epoch 1).", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains($"Lease '{name}': m1 released epoch 1.", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Contains("dataweaver", StringComparison.Ordinal) && line.Contains("Password", StringComparison.OrdinalIgnoreCase));
    }

    private PostgresLease Lease(string table, string name, string instance, TimeSpan? duration = null) => new(new PostgresLeaseOptions
    {
        ConnectionString = database.Admin,
        Table = table,
        Name = name,
        InstanceId = instance,
        Duration = duration ?? TimeSpan.FromSeconds(5),
        RetryInterval = TimeSpan.FromMilliseconds(100),
    });

    private static int Count(List<(string, long)> written)
    {
        lock (written)
        {
            return written.Count;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(20, guard.Token);
        }
    }
}
