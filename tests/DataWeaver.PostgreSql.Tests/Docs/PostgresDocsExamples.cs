using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Docs;

/// <summary>The C# snippets of docs/postgresql.md, run against the real server.</summary>
public sealed class PostgresDocsExamples(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dw-pg-docs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Sink_Snippet_UpsertsAndDeadLettersTheRefusedRecord()
    {
        await database.ExecuteAsync("CREATE SCHEMA sink_example; CREATE TABLE sink_example.orders (id bigint PRIMARY KEY, total numeric CHECK (total > 0))");
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(database.Admin) { SearchPath = "sink_example" }.ConnectionString;
        var source = new CollectionSource<JsonRecord>([JsonRecord.Parse("""{"id":1,"total":5}"""), JsonRecord.Parse("""{"id":2,"total":-1}"""), JsonRecord.Parse("""{"id":1,"total":7}""")]);
        var deadLetters = new CollectionSink<DeadLetter>("dead-letters");

        // snippet: postgres-sink
        var pipeline = Pipeline.From(source)
            .ToPostgreSql(new PostgresSinkOptions
            {
                ConnectionString = connectionString, // Host=...;Database=...;Username=...;Password=...
                Table = "orders",
                KeyColumns = ["id"],          // leave out for an append-only table (binary COPY)
            })
            .OnError(e => e.DeadLetterTo(deadLetters)) // the records the server refuses, with its message
            .Build();
        // end snippet
        await pipeline.Start().Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var rows = await database.QueryAsync("SELECT id, total FROM sink_example.orders");
        Assert.Equal([1L, 7m], Assert.Single(rows));
        var letter = Assert.Single(deadLetters.Records);
        Assert.Equal("\"orders\" refused the record: 23514: new row for relation \"orders\" violates check constraint \"orders_total_check\"", letter.Exception.Message);
    }

    [Fact]
    public async Task Source_Snippet_FollowsAndCheckpoints()
    {
        await database.ExecuteAsync("""
            CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL);
            INSERT INTO orders SELECT i, now() FROM generate_series(1, 5) i;
            """);
        var connectionString = database.Admin;
        var checkpoints = Path.Combine(_folder, "checkpoints");

        // snippet: postgres-source
        var source = new PostgresSource(new PostgresSourceOptions
        {
            ConnectionString = connectionString,
            Table = "orders",
            IncrementingColumn = "updated_at",   // rows in order of it; after a restart only rows beyond the checkpoint
            KeyColumn = "id",                     // the tie-breaker of rows sharing one updated_at
            CheckpointStore = new FileCheckpointStore(checkpoints),
            Follow = true,                        // keep polling for new rows
        });
        // end snippet
        var sink = new CollectionSink<JsonRecord>("out");
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        while (sink.Count < 5 && !run.Completion.IsCompleted)
        {
            await Task.Delay(10);
        }

        run.RequestStop();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([1L, 2, 3, 4, 5], sink.Records.Select(JsonIds.Id));
        Assert.NotNull(await new FileCheckpointStore(checkpoints).LoadAsync(source.CheckpointKey));
    }
}
