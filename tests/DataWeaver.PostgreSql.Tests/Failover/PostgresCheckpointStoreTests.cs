using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Failover;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Failover;

/// <summary>The PostgreSQL checkpoint store on the real server: upserts per key, the table created, the run lock, fencing by a lease, no password shown.</summary>
public sealed class PostgresCheckpointStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task SaveAsync_ThenLoadAsync_ReturnsTheLastPositionsPerKeyInACreatedTable()
    {
        var table = PostgresServer.UniqueName("cp");
        var store = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = database.Admin, Table = table });

        Assert.Null(await store.LoadAsync("orders"));
        await store.SaveAsync("orders", [new SourcePosition(0, 10), new SourcePosition(1, 20)]);
        await store.SaveAsync("orders", [new SourcePosition(0, 11), new SourcePosition(1, 21)]);
        await store.SaveAsync("other", [new SourcePosition(3, 7)]);

        var again = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = database.Admin, Table = table });
        Assert.Equal([new SourcePosition(0, 11), new SourcePosition(1, 21)], await again.LoadAsync("orders"));
        Assert.Equal([new SourcePosition(3, 7)], await again.LoadAsync("other"));
        Assert.Equal(2L, await database.ScalarAsync<long>($"SELECT count(*) FROM {table}"));
    }

    [Fact]
    public async Task Lock_SecondRunOnTheSameKey_FailsAtOnceUntilTheFirstReleases()
    {
        var options = new PostgresCheckpointStoreOptions { ConnectionString = database.Admin, Table = PostgresServer.UniqueName("cp") };
        var first = new PostgresCheckpointStore(options);
        var second = new PostgresCheckpointStore(options);

        var hold = first.Lock("orders");
        var refused = Assert.Throws<CheckpointException>(() => second.Lock("orders"));
        Assert.Contains("in use by another run", refused.Message, StringComparison.Ordinal);
        using (second.Lock("other"))
        {
        }

        hold!.Dispose();
        using var taken = second.Lock("orders");
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task SaveAsync_FencedAfterTheLeaseWasTakenOver_RefusedAndTheCheckpointKept()
    {
        var table = PostgresServer.UniqueName("cp");
        var leases = PostgresServer.UniqueName("leases");
        await using var lease = new PostgresLease(new PostgresLeaseOptions { ConnectionString = database.Admin, Table = leases, Name = "orders", InstanceId = "a" });
        var grant = await lease.AcquireAsync();
        var store = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = database.Admin, Table = table, Fence = grant });
        await store.SaveAsync("orders", [new SourcePosition(0, 5)]);

        // Another instance takes the lease over (as it would once the lease expired): epoch 2.
        await database.ExecuteAsync($"UPDATE {leases} SET holder = 'b', epoch = epoch + 1");
        var refused = await Assert.ThrowsAsync<PostgresLeaseLostException>(async () => await store.SaveAsync("orders", [new SourcePosition(0, 9)]));

        Assert.Equal(ErrorClass.Fatal, refused.ErrorClass);
        Assert.Equal(1, refused.Epoch);
        Assert.True(grant.IsLost);
        Assert.True(grant.Token.IsCancellationRequested);
        Assert.Equal([new SourcePosition(0, 5)], await store.LoadAsync("orders"));
        Assert.Equal([1L, 5L], Assert.Single(await database.QueryAsync($"SELECT epoch, offsets[1] FROM {table}")));
    }

    [Fact]
    public async Task IncrementalSource_WithThePostgresStore_ResumesAfterTheLastCommittedRow()
    {
        var rows = PostgresServer.UniqueName("rows");
        var checkpoints = PostgresServer.UniqueName("cp");
        await database.ExecuteAsync($"CREATE TABLE {rows} (id bigint PRIMARY KEY); INSERT INTO {rows} SELECT generate_series(1, 30);");
        var options = new PostgresSourceOptions
        {
            ConnectionString = database.Admin,
            Table = rows,
            KeyColumn = "id",
            PageSize = 7,
            CheckpointStore = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = database.Admin, Table = checkpoints }),
        };

        var first = await ReadAllAsync(options);
        await database.ExecuteAsync($"INSERT INTO {rows} SELECT generate_series(31, 35)");
        var second = await ReadAllAsync(options);

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), first);
        Assert.Equal(Enumerable.Range(31, 5).Select(i => (long)i), second);
    }

    [Fact]
    public async Task Errors_AndDescriptions_NeverShowThePassword()
    {
        const string Password = "cp-canary-7731";
        var user = await database.CreateUserAsync(Password);
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(user) { Password = Password + "-wrong" }.ConnectionString;
        var options = new PostgresCheckpointStoreOptions { ConnectionString = wrong, Table = PostgresServer.UniqueName("cp") };
        var store = new PostgresCheckpointStore(options);

        var failed = await Assert.ThrowsAsync<DataWeaverException>(async () => await store.SaveAsync("k", [new SourcePosition(0, 1)]));

        Assert.Equal(ErrorClass.Fatal, failed.ErrorClass);
        Assert.DoesNotContain(Password, failed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, store.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, options.ToString(), StringComparison.Ordinal);
    }

    private static async Task<List<long>> ReadAllAsync(PostgresSourceOptions options)
    {
        var sink = new CollectionSink<JsonRecord>("out");
        await Pipeline.From(new PostgresSource(options), new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 4 }).To(sink).Build().RunAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return [.. sink.Records.Select(JsonIds.Id)];
    }
}
