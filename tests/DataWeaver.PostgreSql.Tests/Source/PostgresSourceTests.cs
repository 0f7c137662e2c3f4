using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Source;

/// <summary>The source's own promises on the real server: column types as JSON, following new rows, clear errors.</summary>
public sealed class PostgresSourceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Read_EveryColumnType_DecodedAsDocumented()
    {
        var table = PostgresServer.UniqueName("types");
        await database.ExecuteAsync($"""
            CREATE TABLE {table} (id int PRIMARY KEY, n numeric, r double precision, b boolean, ts timestamp, tz timestamptz, d date,
                j json, jb jsonb, u uuid, ints int[], texts text[], bytes bytea, nothing text, t text);
            SET TIME ZONE 'Europe/Berlin';
            INSERT INTO {table} VALUES (1, 12345678901234567890.123456789, 0.5, true, '2026-12-07 10:11:12.345678', '2026-12-07 10:11:12.5+01',
                '2026-12-07', '{"{"}"a": [1, 2]{"}"}', '{"{"}"b": {"{"}"c": null{"}"}{"}"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"{"}1,NULL,3{"}"}',
                '{"{"}"x y","\"q\""{"}"}', '\x00ff10', NULL, 'plain "text"');
            """);
        var records = await ReadAllAsync(new PostgresSourceOptions { ConnectionString = database.Admin, Table = table, KeyColumn = "id" });

        var record = Assert.Single(records);
        Assert.Equal(
            """{"id":1,"n":12345678901234567890.123456789,"r":0.5,"b":true,"ts":"2026-12-07T10:11:12.345678","tz":"2026-12-07T09:11:12.5Z","d":"2026-12-07","j":{"a": [1, 2]},"jb":{"b": {"c": null}},"u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","ints":[1,null,3],"texts":["x y","\"q\""],"bytes":"AP8Q","nothing":null,"t":"plain \"text\""}""",
            record.ToString());
        JsonRecord.Parse(record.ToString()); // valid JSON
    }

    [Fact]
    public async Task Follow_RowsAddedWhileRunningIncludingOnesSharingTheLastUpdatedAt_AllReadOnceInOrder()
    {
        var table = PostgresServer.UniqueName("follow");
        await database.ExecuteAsync($"""
            CREATE TABLE {table} (id bigint PRIMARY KEY, updated_at timestamp NOT NULL);
            INSERT INTO {table} SELECT i, timestamp '2026-12-07 08:00' + (i / 4) * interval '1 minute' FROM generate_series(0, 9) i;
            """);
        var store = new InMemoryCheckpointStore();
        var options = new PostgresSourceOptions
        {
            ConnectionString = database.Admin, Table = table, IncrementingColumn = "updated_at", KeyColumn = "id", PageSize = 3, Follow = true,
            PollInterval = TimeSpan.FromMilliseconds(20), CheckpointStore = store,
        };
        var sink = new CollectionSink<JsonRecord>("out");
        var run = Pipeline.From(new PostgresSource(options), new PipelineOptions { BatchSize = 4, CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        await WaitForAsync(() => sink.Count >= 10, run);

        // Rows 10 and 11 share updated_at with rows 8 and 9 (the last read); row 12 is later.
        await database.ExecuteAsync($"INSERT INTO {table} VALUES (10, timestamp '2026-12-07 08:02'), (11, timestamp '2026-12-07 08:02'), (12, timestamp '2026-12-07 09:00')");
        await WaitForAsync(() => sink.Count >= 13, run);
        run.RequestStop();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Enumerable.Range(0, 13).Select(i => (long)i), sink.Records.Select(JsonIds.Id));
        var saved = await store.LoadAsync(new PostgresSource(options).CheckpointKey);
        Assert.Equal([new(0, (new DateTime(2026, 12, 7, 9, 0, 0).Ticks - DateTime.UnixEpoch.Ticks) / 10), new(1, 12)], saved!);
    }

    [Fact]
    public async Task Read_QueryWithKeyInPagesAndQueryWithoutKeyInOnePass_EachRowOnce()
    {
        var table = PostgresServer.UniqueName("query");
        await database.ExecuteAsync($"CREATE TABLE {table} (id int PRIMARY KEY, region text); INSERT INTO {table} SELECT i, CASE WHEN i % 3 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 100) i;");
        var query = $"SELECT id, upper(region) AS region FROM {table} WHERE region = 'eu'";

        var paged = await ReadAllAsync(new PostgresSourceOptions { ConnectionString = database.Admin, Query = query, KeyColumn = "id", PageSize = 4 });
        var once = await ReadAllAsync(new PostgresSourceOptions { ConnectionString = database.Admin, Query = query + " ORDER BY id DESC" });

        Assert.Equal(Enumerable.Range(1, 100).Where(i => i % 3 == 0).Select(i => (long)i), paged.Select(JsonIds.Id));
        Assert.Equal(paged.Select(JsonIds.Id).Reverse(), once.Select(JsonIds.Id));
        Assert.Equal("""{"id":3,"region":"EU"}""", paged[0].ToString());
    }

    [Fact]
    public async Task Open_OrderColumnOfAnUncheckpointableType_FatalErrorNamingIt()
    {
        var table = PostgresServer.UniqueName("textkey");
        await database.ExecuteAsync($"CREATE TABLE {table} (code text PRIMARY KEY)");
        var source = new PostgresSource(new PostgresSourceOptions { ConnectionString = database.Admin, Table = table, KeyColumn = "code" });

        var error = await Assert.ThrowsAsync<DataWeaverException>(async () => await source.OpenAsync());

        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains("'code'", error.Message, StringComparison.Ordinal);
        Assert.Contains("type text", error.Message, StringComparison.Ordinal);
        await source.CloseAsync();
    }

    [Fact]
    public void Options_FollowWithoutKeyColumn_InvalidNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresSource(new PostgresSourceOptions { ConnectionString = "Host=x;Password=pw-canary", Table = "t", Follow = true, PageSize = 0 }));

        Assert.Contains("KeyColumn is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("PageSize must be from 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary", error.Message, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<JsonRecord>> ReadAllAsync(PostgresSourceOptions options)
    {
        var sink = new CollectionSink<JsonRecord>("out");
        var run = Pipeline.From(new PostgresSource(options)).To(sink).Build().Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        return sink.Records;
    }

    private static async Task WaitForAsync(Func<bool> condition, PipelineRun run)
    {
        var guard = Task.Delay(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            if (run.Completion.IsCompleted || guard.IsCompleted)
            {
                await run.Completion.WaitAsync(TimeSpan.FromSeconds(1));
                Assert.Fail("The run ended or the guard expired before the records arrived.");
            }

            await Task.Delay(10);
        }
    }
}
