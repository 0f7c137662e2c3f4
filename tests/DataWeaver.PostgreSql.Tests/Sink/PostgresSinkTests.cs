using System.Text;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Sink;

/// <summary>The sink's own promises on the real server: refused records dead-lettered with the server's message, replays that change nothing, tombstones, transient retries.</summary>
public sealed class PostgresSinkTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly PipelineOptions Options = new() { Name = "sink-test", BatchSize = 500, CommitInterval = TimeSpan.Zero };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Write_OnePercentViolateAConstraint_ExactlyThoseDeadLetteredWithTheServersMessageRestInTheTable(bool keyed)
    {
        const int Count = 5_000;
        var table = PostgresServer.UniqueName("refused");
        await database.ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, amount numeric NOT NULL CHECK (amount >= 0), note text)");
        var records = Enumerable.Range(0, Count).Select(i => JsonRecord.Parse(
            i % 100 == 42 ? $"{{\"id\":{i},\"amount\":-{i},\"note\":\"bad\"}}"
            : i % 1000 == 7 ? $"{{\"id\":{i},\"amount\":\"not a number\"}}"
            : $"{{\"id\":{i},\"amount\":{i}.5,\"note\":\"n{i}\"}}")).ToList();
        var bad = Enumerable.Range(0, Count).Where(i => i % 100 == 42 || i % 1000 == 7).ToHashSet();
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, KeyColumns = keyed ? ["id"] : [] });

        var run = Pipeline.From(new CollectionSource<JsonRecord>(records), Options).To(sink).OnError(e => e.DeadLetterTo(letters)).Build().Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(bad.Order().ToList(), letters.Records.Select(l => (int)JsonIds.Id(JsonRecord.Parse(l.Payload))).Order().ToList());
        foreach (var letter in letters.Records)
        {
            var id = JsonIds.Id(JsonRecord.Parse(letter.Payload));
            Assert.Equal(ErrorClass.Data, letter.ErrorClass);
            var expected = id % 100 == 42
                ? $"23514: new row for relation \"{table}\" violates check constraint \"{table}_amount_check\""
                : "The field 'amount' does not convert to the column's type numeric";
            Assert.Contains(expected, letter.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(records[(int)id].ToString(), Encoding.UTF8.GetString(letter.Payload.Span)); // the original record
        }

        var rows = await database.QueryAsync($"SELECT id, amount, note FROM {table} ORDER BY id");
        Assert.Equal(Enumerable.Range(0, Count).Where(i => !bad.Contains(i)).Select(i => (long)i), rows.Select(r => (long)r[0]!));
        Assert.All(rows, r => Assert.Equal((long)r[0]! + 0.5m, (decimal)r[1]!));
        Assert.Equal(bad.Count, sink.Refused);
    }

    [Fact]
    public async Task Write_ReplayedRangeWithUpsertAndTombstones_TableUnchangedAndDeletedRowsGone()
    {
        var table = PostgresServer.UniqueName("upsert");
        await database.ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, tags text[], at timestamptz, doc jsonb)");
        var records = Enumerable.Range(0, 2_000).Select(i => JsonRecord.Parse(i % 10 == 9
            ? $"{{\"id\":{i - 9},\"__deleted\":true}}" // deletes the row written 9 records earlier
            : $"{{\"id\":{i},\"name\":\"v{i}\",\"tags\":[\"a{i}\",null],\"at\":\"2026-12-07T10:00:{i % 60:00}.25Z\",\"doc\":{{\"n\":{i}}}}}")).ToList();
        var options = new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, KeyColumns = ["id"] };

        await RunAsync(records, options);
        var first = await SnapshotAsync(table);
        await RunAsync(records[400..1300], options); // a replay after a crash: the same records again
        var second = await SnapshotAsync(table);

        Assert.Equal(first, second);
        var ids = (await database.QueryAsync($"SELECT id FROM {table} ORDER BY id")).Select(r => (long)r[0]!).ToList();
        Assert.Equal(Enumerable.Range(0, 2_000).Where(i => i % 10 is not 0 and not 9).Select(i => (long)i), ids);
        var row = (await database.QueryAsync($"SELECT name, tags, at, doc::text FROM {table} WHERE id = 61"))[0];
        Assert.Equal("v61", row[0]);
        Assert.Equal(new[] { "a61", null }, (string?[])row[1]!);
        Assert.Equal(new DateTime(2026, 12, 7, 10, 0, 1, 250, DateTimeKind.Utc), (DateTime)row[2]!);
        Assert.Equal("{\"n\": 61}", row[3]);
    }

    [Fact]
    public async Task Write_ConnectionTerminatedByTheServer_BatchRetriedOnANewConnectionNothingLostOrDoubled()
    {
        var table = PostgresServer.UniqueName("retry");
        await database.ExecuteAsync($"CREATE TABLE {table} (seq bigserial PRIMARY KEY, id bigint NOT NULL)");
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, RetryDelay = TimeSpan.Zero }, name: table);
        await sink.OpenAsync();
        try
        {
            await sink.WriteAsync(Enumerable.Range(0, 100).Select(i => JsonIds.Record(i)).ToArray());

            // An administrator's shutdown of the sink's pooled connection (57P01): the next batch fails on it, then is retried.
            var terminated = await database.ScalarAsync<long>($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'dataweaver:{table}'");
            await sink.WriteAsync(Enumerable.Range(100, 100).Select(i => JsonIds.Record(i)).ToArray());

            Assert.Equal(1, terminated);
            Assert.Equal(1, sink.Retries);
            var ids = (await database.QueryAsync($"SELECT id FROM {table} ORDER BY seq")).Select(r => (long)r[0]!);
            Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), ids);
        }
        finally
        {
            await sink.CloseAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Write_ThreeBatches_EachOneTransaction(bool keyed)
    {
        var table = PostgresServer.UniqueName("batches");
        await database.ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, v text)");
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, KeyColumns = keyed ? ["id"] : [] });
        await sink.OpenAsync();
        try
        {
            for (var batch = 0; batch < 3; batch++)
            {
                await sink.WriteAsync(Enumerable.Range(batch * 100, 100).Select(i => JsonRecord.Parse($"{{\"id\":{i},\"v\":\"b{batch}\"}}")).ToArray());
            }
        }
        finally
        {
            await sink.CloseAsync();
        }

        // Rows written by one transaction share its id (xmin): one per batch, holding exactly that batch's rows.
        var transactions = await database.QueryAsync($"SELECT min(id), max(id), count(*), count(DISTINCT v) FROM {table} GROUP BY xmin::text ORDER BY 1");
        Assert.Equal([[0L, 99L, 100L, 1L], [100L, 199L, 100L, 1L], [200L, 299L, 100L, 1L]], transactions.Select(t => t.Select(Convert.ToInt64).ToArray()));
    }

    [Fact]
    public async Task Write_DeadlockWithAnotherSession_BatchRetriedNothingLostOrDoubled()
    {
        var table = PostgresServer.UniqueName("deadlock");
        await database.ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, v text); INSERT INTO {table} VALUES (1, 'old'), (2, 'old')");
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, KeyColumns = ["id"], RetryDelay = TimeSpan.Zero }, name: table);
        await sink.OpenAsync();
        await using var other = new Npgsql.NpgsqlConnection(database.Admin);
        await other.OpenAsync();
        try
        {
            // The other session holds row 2 and, once the sink's batch holds row 1 and waits for row 2, asks for row 1: a
            // deadlock. The sink's session checks first (deadlock_timeout 1 s against the other's 60 s), so the server
            // aborts the sink's transaction (40P01), and the sink writes the batch again once the other session committed.
            await using (var setup = new Npgsql.NpgsqlCommand($"SET deadlock_timeout = '60s'; BEGIN; UPDATE {table} SET v = 'other' WHERE id = 2", other))
            {
                await setup.ExecuteNonQueryAsync();
            }

            var write = sink.WriteAsync(new[] { JsonRecord.Parse("""{"id":1,"v":"sink"}"""), JsonRecord.Parse("""{"id":2,"v":"sink"}"""), JsonRecord.Parse("""{"id":3,"v":"sink"}""") }).AsTask();
            await WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dataweaver:{table}' AND wait_event_type = 'Lock'") == 1);
            await using (var cross = new Npgsql.NpgsqlCommand($"UPDATE {table} SET v = 'other' WHERE id = 1", other))
            {
                await cross.ExecuteNonQueryAsync(); // waits until the server aborted the sink's transaction
            }

            await using (var commit = new Npgsql.NpgsqlCommand("COMMIT", other))
            {
                await commit.ExecuteNonQueryAsync();
            }

            await write.WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(1, sink.Retries);
            var rows = await database.QueryAsync($"SELECT id, v FROM {table} ORDER BY id");
            Assert.Equal([[1L, "sink"], [2L, "sink"], [3L, "sink"]], rows.Select(r => new object[] { (long)r[0]!, (string)r[1]! }));
        }
        finally
        {
            await sink.CloseAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Write_SerializationFailureRaisedByTheServer_BatchRetriedNothingLostOrDoubled(bool keyed)
    {
        // A trigger raises SQLSTATE 40001 (serialization_failure) on the first row it sees: a sequence counts the rows, and
        // unlike the failed transaction's writes its value is not rolled back, so the retried batch goes through.
        var table = PostgresServer.UniqueName("serialize");
        await database.ExecuteAsync($"""
            CREATE TABLE {table} (id bigint PRIMARY KEY, v text);
            CREATE SEQUENCE {table}_seen;
            CREATE FUNCTION {table}_fail() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('{table}_seen') = 1 THEN RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = 'serialization_failure'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {table}_fail BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_fail();
            """);
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, KeyColumns = keyed ? ["id"] : [], RetryDelay = TimeSpan.Zero }, name: table);
        await sink.OpenAsync();
        try
        {
            await sink.WriteAsync(Enumerable.Range(0, 100).Select(i => JsonRecord.Parse($"{{\"id\":{i},\"v\":\"v{i}\"}}")).ToArray());
        }
        finally
        {
            await sink.CloseAsync();
        }

        Assert.Equal(1, sink.Retries);
        Assert.Equal(0, sink.Refused);
        var rows = await database.QueryAsync($"SELECT id, v FROM {table} ORDER BY id");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i}:v{i}"), rows.Select(r => $"{r[0]}:{r[1]}"));
    }

    [Fact]
    public async Task Open_MissingColumnAndUnsupportedType_FatalErrorNamingBoth()
    {
        var table = PostgresServer.UniqueName("columns");
        await database.ExecuteAsync($"CREATE TABLE {table} (id bigint, span interval)");
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = table, Columns = ["id", "nope", "span"] });

        var error = await Assert.ThrowsAsync<DataWeaverException>(async () => await sink.OpenAsync());

        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains("the table has no column 'nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the column 'span' is of type interval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_NeverShowsThePassword()
    {
        var options = new PostgresSinkOptions { ConnectionString = "Host=db;Database=shop;Username=u;Password=pw-canary-9", Table = "orders" };

        Assert.DoesNotContain("pw-canary-9", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-9", new PostgresSink(options).ToString(), StringComparison.Ordinal);
        Assert.Contains("db:5432/shop", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("40001", ErrorClass.Transient)]
    [InlineData("40P01", ErrorClass.Transient)]
    [InlineData("57P01", ErrorClass.Transient)]
    [InlineData("08006", ErrorClass.Transient)]
    [InlineData("53300", ErrorClass.Transient)]
    [InlineData("23505", ErrorClass.Data)]
    [InlineData("22003", ErrorClass.Data)]
    [InlineData("42P01", ErrorClass.Fatal)]
    [InlineData("42501", ErrorClass.Fatal)]
    [InlineData("28P01", ErrorClass.Fatal)]
    public void ClassifySqlState_KnownCodes_ClassAsDocumented(string sqlState, ErrorClass expected) =>
        Assert.Equal(expected, PostgresErrors.ClassifySqlState(sqlState));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromMinutes(2), "The condition did not hold within 2 minutes.");
            await Task.Delay(20);
        }
    }

    private async Task RunAsync(IReadOnlyList<JsonRecord> records, PostgresSinkOptions options)
    {
        var run = Pipeline.From(new CollectionSource<JsonRecord>(records), Options with { BatchSize = 128 }).To(new PostgresSink(options)).Build().Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
    }

    private async Task<string> SnapshotAsync(string table) =>
        await database.ScalarAsync<string>($"SELECT coalesce(string_agg(t::text, '|' ORDER BY id), '') FROM {table} t");
}
