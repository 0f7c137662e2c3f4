using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Tests.Configuration;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>The change data capture snippet and definition-file example of docs/postgresql.md, run against the real server.</summary>
public sealed class PostgresCdcDocsExamples(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dw-pg-cdc-docs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Cdc_Snippet_StreamsTheChangesOfTheOrdersTable()
    {
        await database.ExecuteAsync("CREATE SCHEMA snippet; CREATE TABLE snippet.orders (id bigint PRIMARY KEY, total numeric)");
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(database.Admin) { SearchPath = "snippet" }.ConnectionString;
        var slot = CdcRun.SlotName("docs");
        var sink = new CollectionSink<JsonRecord>("changes");

        // snippet: postgres-cdc
        var pipeline = PostgresCdcPipeline.From(
                new PostgresCdcOptions
                {
                    ConnectionString = connectionString, // its user needs the REPLICATION attribute
                    Publication = "orders_changes",      // created for Tables when missing
                    Tables = ["orders"],
                    Slot = slot,                         // keeps the position on the server; created when missing
                },
                new PipelineOptions { CommitInterval = TimeSpan.FromSeconds(1) })
            .To(sink)
            .Build();
        // end snippet
        var run = pipeline.Start();
        await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}' AND active AND confirmed_flush_lsn IS NOT NULL") == 1, run);
        await database.ExecuteAsync("INSERT INTO snippet.orders VALUES (1, 9.5)");
        await database.ExecuteAsync("UPDATE snippet.orders SET total = 12 WHERE id = 1");
        await database.ExecuteAsync("DELETE FROM snippet.orders WHERE id = 1");
        await CdcRun.WaitUntilAsync(() => Task.FromResult(sink.Count >= 3), run);
        run.RequestStop();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var records = sink.Records.Select(CdcRun.Parse).ToList();
        Assert.Equal(["insert", "update", "delete"], records.Select(r => r.GetProperty("op").GetString()));
        Assert.All(records, r => Assert.Equal("snippet.orders", r.GetProperty("table").GetString()));
        Assert.Equal("""{"id":1,"total":12}""", records[1].GetProperty("after").GetRawText());
        Assert.Equal("""{"id":1}""", records[2].GetProperty("key").GetRawText());
    }

    [Fact]
    public async Task Example_PostgresCdcToFile_SecondRunAppendsOnlyTheChangesAfterTheFirst()
    {
        await database.ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)");
        var environment = await PostgresDefinitionFiles.EnvironmentAsync(database, _folder);
        await database.ExecuteAsync($"ALTER ROLE \"{environment["PG_USER"]}\" REPLICATION");
        await database.ExecuteAsync($"GRANT CREATE ON DATABASE \"{database.Name}\" TO \"{environment["PG_USER"]}\"; ALTER TABLE orders OWNER TO \"{environment["PG_USER"]}\"");
        environment["SLOT"] = CdcRun.SlotName("export");
        var logs = new ListLoggerFactory();
        var output = Path.Combine(_folder, "orders-changes.jsonl");

        await RunAsync(environment, logs, "INSERT INTO orders SELECT i, i FROM generate_series(1, 100) i", output, 100);
        await database.ExecuteAsync("UPDATE orders SET total = 0 WHERE id <= 10"); // while no pipeline runs
        await RunAsync(environment, logs, "DELETE FROM orders WHERE id = 100", output, 111);

        var changes = File.ReadAllLines(output).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(111, changes.Count); // each change once: the second run started where the first one's commit left the slot
        Assert.Equal(Enumerable.Repeat("insert", 100).Concat(Enumerable.Repeat("update", 10)).Append("delete"), changes.Select(c => c.GetProperty("op").GetString()));
        Assert.Equal("""{"id":10,"total":0}""", changes[109].GetProperty("after").GetRawText());
        PostgresDefinitionFiles.AssertNoSecret(logs, _folder);
    }

    private async Task RunAsync(Dictionary<string, string> environment, ListLoggerFactory logs, string change, string output, int expected)
    {
        await using var manager = PostgresDefinitionFiles.Manager(logs);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(PostgresDefinitionFiles.Example("postgres-cdc-to-file"), Path.Combine(_folder, "changes.yaml"), new PipelineLoadOptions { Registry = manager.Registry, Environment = environment.GetValueOrDefault }));
        var run = manager.StartPipeline("orders-changes");
        await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{environment["SLOT"]}' AND active AND confirmed_flush_lsn IS NOT NULL") == 1, run);
        await database.ExecuteAsync(change);
        await CdcRun.WaitUntilAsync(() => Task.FromResult(File.Exists(output) && File.ReadAllLines(output).Length >= expected), run);
        await manager.StopPipelineAsync("orders-changes");
    }
}
