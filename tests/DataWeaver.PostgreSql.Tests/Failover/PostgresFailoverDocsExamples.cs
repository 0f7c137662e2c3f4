using DataWeaver.Configuration;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Failover;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Configuration;
using DataWeaver.PostgreSql.Tests.Support;

namespace DataWeaver.PostgreSql.Tests.Failover;

/// <summary>The examples of docs/postgresql.md, "Checkpoints and failover", run against the real server.</summary>
public sealed class PostgresFailoverDocsExamples(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dw-pg-failover-docs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task CheckpointStore_Snippet_SecondRunReadsOnlyNewRows()
    {
        await database.ExecuteAsync("CREATE SCHEMA store_example; CREATE TABLE store_example.orders (id bigint PRIMARY KEY); INSERT INTO store_example.orders SELECT generate_series(1, 10);");
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(database.Admin) { SearchPath = "store_example" }.ConnectionString;
        var counts = new List<long>();
        for (var run = 0; run < 2; run++)
        {
            // snippet: postgres-checkpoint-store
            var checkpoints = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions
            {
                ConnectionString = connectionString,   // its password is never shown
                Table = "dataweaver_checkpoints",      // one row per checkpoint key; created when missing
            });
            var source = new PostgresSource(new PostgresSourceOptions
            {
                ConnectionString = connectionString,
                Table = "orders",
                KeyColumn = "id",
                CheckpointStore = checkpoints,         // each run reads on after the last row committed
            });
            // end snippet
            var pipeline = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero }).To(new Connectors.Memory.CollectionSink<Serialization.Json.JsonRecord>("out")).Build();
            var run1 = pipeline.Start();
            await run1.Completion.WaitAsync(TimeSpan.FromMinutes(1));
            counts.Add(run1.Statistics.RecordsRead);
            if (run == 0)
            {
                await database.ExecuteAsync("INSERT INTO store_example.orders SELECT generate_series(11, 13)");
            }
        }

        Assert.Equal([10L, 3L], counts);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM store_example.dataweaver_checkpoints"));
    }

    [Fact]
    public async Task ActiveStandby_Snippet_CopiesUnderTheLeaseAndReleasesItOnStop()
    {
        await database.ExecuteAsync("""
            CREATE SCHEMA failover_example;
            CREATE TABLE failover_example.orders (id bigint PRIMARY KEY, total numeric);
            CREATE TABLE failover_example.orders_copy (id bigint PRIMARY KEY, total numeric);
            INSERT INTO failover_example.orders SELECT i, i * 2 FROM generate_series(1, 100) i;
            """);
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(database.Admin) { SearchPath = "failover_example" }.ConnectionString;
        using var stopping = new CancellationTokenSource();
        var stoppingToken = stopping.Token;
        var running = Task.Run(async () =>
        {
            // snippet: postgres-failover
            await using var lease = new PostgresLease(new PostgresLeaseOptions
            {
                ConnectionString = connectionString,
                Name = "orders-copy",                    // the same on every instance of the pipeline
                Duration = TimeSpan.FromSeconds(15),     // a dead or cut-off active instance is replaced after this
            });
            await lease.InstallFenceAsync("orders_copy"); // writes to it must hold the lease's current epoch
            var runner = new PostgresActiveStandby(lease, grant => Pipeline.From(
                    new PostgresSource(new PostgresSourceOptions
                    {
                        ConnectionString = connectionString,
                        Table = "orders",
                        KeyColumn = "id",
                        Follow = true,
                        CheckpointStore = new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = connectionString, Fence = grant }),
                    }),
                    new PipelineOptions { CommitInterval = TimeSpan.Zero })
                .ToPostgreSql(new PostgresSinkOptions
                {
                    ConnectionString = grant.FenceConnectionString(connectionString),
                    Table = "orders_copy",
                    KeyColumns = ["id"],
                })
                .Build());
            var state = await runner.RunAsync(stoppingToken); // standby, active until stopped, then the lease is released
            // end snippet
            return state;
        });

        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await database.ScalarAsync<long>("SELECT count(*) FROM failover_example.orders_copy") < 100)
        {
            await Task.Delay(50, guard.Token);
        }

        await stopping.CancelAsync();
        Assert.Equal(PipelineState.Stopped, await running.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM failover_example.orders o LEFT JOIN failover_example.orders_copy c USING (id) WHERE c.total IS DISTINCT FROM o.total"));
        Assert.True(await database.ScalarAsync<bool>("SELECT expires_at <= clock_timestamp() FROM failover_example.dataweaver_leases WHERE name = 'orders-copy'"));
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PostgresServer.ExecuteAsync(connectionString, "DELETE FROM orders_copy"));
        Assert.Equal(PostgresLeaseLostException.FenceSqlState, refused.SqlState);
    }

    [Fact]
    public async Task Example_PostgresToFileWithACheckpointTable_SecondRunAppendsOnlyNewRows()
    {
        await database.ExecuteAsync("""
            CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL);
            INSERT INTO orders SELECT i, timestamptz '2026-12-07 08:00:00+00' + (i / 3) * interval '1 second' FROM generate_series(1, 50) i;
            CREATE TABLE dataweaver_checkpoints (key text PRIMARY KEY, partitions integer[] NOT NULL, offsets bigint[] NOT NULL, epoch bigint, saved_at timestamptz NOT NULL);
            """); // created here because the example's user may not create tables in the public schema (PostgreSQL 15)
        var environment = await PostgresDefinitionFiles.EnvironmentAsync(database, _folder);
        var logs = new ListLoggerFactory();
        var output = Path.Combine(_folder, "orders.jsonl");

        await RunAsync(environment, logs);
        await database.ExecuteAsync("INSERT INTO orders VALUES (51, timestamptz '2026-12-07 08:00:16+00'), (52, timestamptz '2026-12-07 08:01:00+00')");
        await RunAsync(environment, logs);

        var ids = File.ReadAllLines(output).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64());
        Assert.Equal(Enumerable.Range(1, 52).Select(i => (long)i), ids);
        var key = await database.ScalarAsync<string>("SELECT key FROM dataweaver_checkpoints");
        Assert.DoesNotContain(PostgresDefinitionFiles.Password, key, StringComparison.Ordinal);
        PostgresDefinitionFiles.AssertNoSecret(logs, _folder);
    }

    [Fact]
    public void Load_CheckpointTableBesideCheckpointDirectory_RefusedNamingTheSetting()
    {
        const string Text = """
            version: 1
            pipelines:
              - name: both
                source: { type: postgres, settings: { connectionString: "Host=h", table: t, keyColumn: id, checkpointDirectory: cp, checkpointTable: cp } }
                sinks: [ { type: console } ]
            """;
        var registry = ConnectorRegistry.CreateDefault().AddPostgreSql();

        var error = Assert.ThrowsAny<Exception>(() => PipelineDefinitionLoader.Parse(Text, "both.yaml", new PipelineLoadOptions { Registry = registry }));

        Assert.Contains("both.yaml:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains("pipelines[0].source.settings.checkpointTable: Give checkpointDirectory or checkpointTable, not both", error.Message, StringComparison.Ordinal);
    }

    private async Task RunAsync(Dictionary<string, string> environment, ListLoggerFactory logs)
    {
        await using var manager = PostgresDefinitionFiles.Manager(logs);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(PostgresDefinitionFiles.Example("postgres-to-file-checkpoint-table"), Path.Combine(_folder, "export.yaml"), new PipelineLoadOptions { Registry = manager.Registry, Environment = environment.GetValueOrDefault }));
        var run = manager.StartPipeline("orders-export");
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
    }
}
