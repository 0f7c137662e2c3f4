using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>The change data capture source against the real server (wal_level=logical, eng/services/postgres.sh).</summary>
public sealed class PostgresCdcSourceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Stream_InsertUpdateDeleteTruncate_RecordsCarryOperationTableLsnAndTransaction()
    {
        var name = CdcRun.SlotName("ops");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, name text)");
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });

        await database.ExecuteAsync($"INSERT INTO {name} VALUES (1, 'a'), (2, 'b')");
        await database.ExecuteAsync($"UPDATE {name} SET name = 'c' WHERE id = 1");
        await database.ExecuteAsync($"DELETE FROM {name} WHERE id = 2");
        await database.ExecuteAsync($"TRUNCATE {name}");
        var records = await run.StopAfterAsync(5);

        Assert.Equal(["insert", "insert", "update", "delete", "truncate"], records.Select(r => r.GetProperty("op").GetString()));
        Assert.All(records, r => Assert.Equal("public." + name, r.GetProperty("table").GetString()));
        Assert.Equal("""{"id":1,"name":"a"}""", records[0].GetProperty("after").GetRawText());
        Assert.Equal("""{"id":2,"name":"b"}""", records[1].GetProperty("after").GetRawText());
        Assert.Equal("""{"id":1,"name":"c"}""", records[2].GetProperty("after").GetRawText());
        Assert.Equal("""{"id":2}""", records[3].GetProperty("key").GetRawText()); // REPLICA IDENTITY DEFAULT: the key only
        Assert.False(records[3].TryGetProperty("before", out _));
        var xids = records.Select(r => r.GetProperty("xid").GetUInt32()).ToArray();
        Assert.Equal(xids[0], xids[1]); // one transaction
        Assert.Equal(4, xids.Distinct().Count());
        var lsns = records.Select(r => (ulong)NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(r.GetProperty("lsn").GetString()!)).ToArray();
        Assert.Equal(lsns.Order(), lsns);
        Assert.Equal(5, lsns.Distinct().Count());

        // The server's confirmed position is the source's: at or past the last change, everything being written.
        var confirmed = await database.ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>($"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{name}'");
        Assert.Equal(run.Source.ConfirmedLsn, confirmed.ToString());
        Assert.True((ulong)confirmed > lsns[^1]);
    }

    [Fact]
    public async Task Stream_ReplicaIdentityFull_UpdatesAndDeletesCarryTheOldRow()
    {
        var name = CdcRun.SlotName("full");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, name text); ALTER TABLE {name} REPLICA IDENTITY FULL; INSERT INTO {name} VALUES (1, 'a')");
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name], TransactionRecords = true });

        await database.ExecuteAsync($"UPDATE {name} SET name = 'b' WHERE id = 1");
        await database.ExecuteAsync($"DELETE FROM {name} WHERE id = 1");
        var records = await run.StopAfterAsync(6);

        Assert.Equal(["begin", "update", "commit", "begin", "delete", "commit"], records.Select(r => r.GetProperty("op").GetString()));
        Assert.Equal("""{"id":1,"name":"a"}""", records[1].GetProperty("before").GetRawText());
        Assert.Equal("""{"id":1,"name":"b"}""", records[1].GetProperty("after").GetRawText());
        Assert.Equal("""{"id":1,"name":"b"}""", records[4].GetProperty("before").GetRawText());
        Assert.Equal(records[0].GetProperty("commitLsn").GetString(), records[2].GetProperty("lsn").GetString());
        Assert.Equal(records[1].GetProperty("xid").GetUInt32(), records[2].GetProperty("xid").GetUInt32());
    }

    [Fact]
    public async Task Stream_KeyChangedUnderDefaultIdentity_UpdateCarriesTheOldKey()
    {
        var name = CdcRun.SlotName("key");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, name text); INSERT INTO {name} VALUES (1, 'a')");
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });

        await database.ExecuteAsync($"UPDATE {name} SET id = 7 WHERE id = 1");
        var update = Assert.Single(await run.StopAfterAsync(1));

        Assert.Equal("""{"id":1}""", update.GetProperty("key").GetRawText());
        Assert.Equal("""{"id":7,"name":"a"}""", update.GetProperty("after").GetRawText());
    }

    [Fact]
    public async Task Stream_ColumnTypes_DecodedAsTheQuerySourceDecodesThem()
    {
        var name = CdcRun.SlotName("types");
        await database.ExecuteAsync($"""
            CREATE TABLE {name} (id bigint PRIMARY KEY, n numeric, r real, d double precision, b boolean, ts timestamp, tz timestamptz, day date, t time,
                j json, jb jsonb, u uuid, bin bytea, ints integer[], texts text[], empty text, s smallint, i integer)
            """);
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });

        await database.ExecuteAsync($$"""
            INSERT INTO {{name}} VALUES (1, 12345678901234.5678, 1.5, 'NaN', true, '2026-12-07 10:11:12.345678', '2026-12-07 10:11:12.5+02', '2026-12-07', '10:11:12',
                '{"a": [1, 2]}', '{"b": null}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\x0102ff', ARRAY[1, NULL, 3], ARRAY['x', NULL], NULL, 7, -8)
            """);
        var change = Assert.Single(await run.StopAfterAsync(1));
        var query = new PostgresSource(new PostgresSourceOptions { ConnectionString = database.Admin, Table = name });
        var rows = new CollectionSink<JsonRecord>("rows");
        await Pipeline.From(query).To(rows).Build().Start().Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(CdcRun.Parse(Assert.Single(rows.Records)).GetRawText(), change.GetProperty("after").GetRawText());
    }

    [Fact]
    public async Task Stream_NumericValues_WrittenExactlyAsThePostgresqlTextWithTheirScale()
    {
        var name = CdcRun.SlotName("numeric");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, n numeric)");
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });
        string[] values = ["0", "0.00", "-0.0001", "1e-20", "12345678901234567890123456789012345678901234567890.123456789", "-99990000", "10000", "0.5000", "1.0e6", "7"];
        var random = new Random(15);
        var all = values.Concat(Enumerable.Range(0, 200).Select(_ => $"{(random.Next(2) == 0 ? "-" : "")}{random.NextInt64()}.{random.Next(0, 1_000_000):D6}e{random.Next(-30, 30)}")).ToArray();

        await database.ExecuteAsync($"INSERT INTO {name} VALUES {string.Join(", ", all.Select((v, i) => $"({i}, '{v}')"))}");
        var records = await run.StopAfterAsync(all.Length);
        var texts = await database.QueryAsync($"SELECT n::text FROM {name} ORDER BY id");

        Assert.Equal(texts.Select(r => (string)r[0]!), records.Select(r => r.GetProperty("after").GetProperty("n").GetRawText()));
    }

    [Fact]
    public async Task Stream_UnchangedToastedValue_LeftOutAndNamedNotNull()
    {
        var name = CdcRun.SlotName("toast");
        await database.ExecuteAsync($"""
            CREATE TABLE {name} (id bigint PRIMARY KEY, big text, small text);
            ALTER TABLE {name} ALTER COLUMN big SET STORAGE EXTERNAL;
            INSERT INTO {name} SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 400) i;
            """);
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });

        await database.ExecuteAsync($"UPDATE {name} SET small = 'x' WHERE id = 1");
        await database.ExecuteAsync($"UPDATE {name} SET big = NULL WHERE id = 1");
        var records = await run.StopAfterAsync(2);

        Assert.Equal("""{"id":1,"small":"x"}""", records[0].GetProperty("after").GetRawText());
        Assert.Equal("""["big"]""", records[0].GetProperty("unchanged").GetRawText());
        Assert.Equal("""{"id":1,"big":null,"small":"x"}""", records[1].GetProperty("after").GetRawText()); // a real NULL stays null
        Assert.False(records[1].TryGetProperty("unchanged", out _));
    }

    [Fact]
    public async Task Stream_ColumnAddedAndDropped_LaterRecordsFollowTheNewSchema()
    {
        var name = CdcRun.SlotName("schema");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, name text)");
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });

        await database.ExecuteAsync($"""
            INSERT INTO {name} VALUES (1, 'a');
            ALTER TABLE {name} ADD COLUMN total numeric;
            INSERT INTO {name} VALUES (2, 'b', 9.5);
            ALTER TABLE {name} DROP COLUMN name;
            INSERT INTO {name} VALUES (3, 1);
            """);
        var records = await run.StopAfterAsync(3);

        Assert.Equal(["""{"id":1,"name":"a"}""", """{"id":2,"name":"b","total":9.5}""", """{"id":3,"total":1}"""], records.Select(r => r.GetProperty("after").GetRawText()));
    }

    [Fact]
    public async Task Restart_AfterStop_ResumesAfterTheConfirmedTransactionWithNothingLost()
    {
        var name = CdcRun.SlotName("resume");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY)");
        var options = new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] };
        var first = await CdcRun.StartAsync(database, options);
        await database.ExecuteAsync($"INSERT INTO {name} SELECT generate_series(1, 10)");
        var before = await first.StopAfterAsync(10);
        await database.ExecuteAsync($"INSERT INTO {name} SELECT generate_series(11, 20)"); // while no source runs

        var second = await CdcRun.StartAsync(database, options);
        var after = await second.StopAfterAsync(10);

        Assert.Equal(Enumerable.Range(1, 10), before.Select(r => r.GetProperty("after").GetProperty("id").GetInt32()));
        Assert.Equal(Enumerable.Range(11, 10), after.Select(r => r.GetProperty("after").GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Open_PublicationMissingWithoutTables_ThrowsPublicationMissing()
    {
        var name = CdcRun.SlotName("nopub");
        var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name });

        var error = await Assert.ThrowsAsync<PostgresCdcException>(async () => await source.OpenAsync());

        Assert.Equal(PostgresCdcFailure.PublicationMissing, error.Failure);
        Assert.Equal(Errors.ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains($"The publication '{name}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await database.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{name}'")); // no slot left behind
        await source.CloseAsync();
    }

    [Fact]
    public async Task Open_UserWithoutReplication_ThrowsPermissionDeniedWithoutThePassword()
    {
        var name = CdcRun.SlotName("noperm");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY); CREATE PUBLICATION {name} FOR TABLE {name}");
        var user = await database.CreateUserAsync("pw-canary-cdc-4711");
        var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = user, Slot = name, Publication = name });

        var error = await Assert.ThrowsAsync<PostgresCdcException>(async () => await source.OpenAsync());

        Assert.Equal(PostgresCdcFailure.PermissionDenied, error.Failure);
        Assert.Contains("REPLICATION", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-cdc-4711", error.ToString(), StringComparison.Ordinal);
        await source.CloseAsync();
    }

    [Fact]
    public async Task Open_SlotOfAnotherPlugin_ThrowsSlotUnusable()
    {
        var name = CdcRun.SlotName("plugin");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY); CREATE PUBLICATION {name} FOR TABLE {name}");
        await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{name}', 'test_decoding')");
        var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name });

        var error = await Assert.ThrowsAsync<PostgresCdcException>(async () => await source.OpenAsync());

        Assert.Equal(PostgresCdcFailure.SlotUnusable, error.Failure);
        await source.CloseAsync();
    }

    [Fact]
    public async Task Snapshot_WhileRowsAreInserted_SnapshotAndStreamJoinWithoutGapOrOverlap()
    {
        var name = CdcRun.SlotName("snap");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY); INSERT INTO {name} SELECT generate_series(1, 2000)");
        var writer = Task.Run(async () =>
        {
            for (var id = 2001; id <= 2300; id++)
            {
                await database.ExecuteAsync($"INSERT INTO {name} VALUES ({id})"); // one transaction each, racing the slot's creation
                await Task.Delay(5);
            }
        });
        var store = new Checkpoints.InMemoryCheckpointStore();
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name], Snapshot = true, CheckpointStore = store });
        await writer;
        await database.ExecuteAsync($"INSERT INTO {name} SELECT generate_series(2301, 2310)"); // surely after the slot's start
        var rows = await database.ScalarAsync<long>($"SELECT count(*) FROM {name}");
        var records = await run.StopAfterAsync((int)rows);

        var ids = records.Select(r => r.GetProperty("after").GetProperty("id").GetInt64()).ToList();
        Assert.Equal(rows, ids.Count); // no overlap: each row once, from the snapshot or from the stream
        Assert.Equal(Enumerable.Range(1, (int)rows).Select(i => (long)i), ids.Order());
        var reads = records.TakeWhile(r => r.GetProperty("op").GetString() == "read").Count();
        Assert.True(reads >= 2000, $"{reads} rows came from the snapshot");
        Assert.All(records.Skip(reads), r => Assert.Equal("insert", r.GetProperty("op").GetString()));
        Assert.True(records.Count - reads >= 10, $"{records.Count - reads} rows came from the stream");
        Assert.NotNull(await store.LoadAsync(run.Source.CheckpointKey)); // the snapshot is marked done
    }

    /// <remarks>
    /// Once skipped: under load its stop hung (1 run in 2-7). The first commit after the snapshot came while Npgsql was
    /// still starting the stream, and the status update it wrote beside START_REPLICATION never completed, holding the
    /// commit and the stop; the source now sends status updates only once the stream answered.
    /// </remarks>
    [Fact]
    public async Task Snapshot_RunStoppedBeforeTheSnapshotWasWritten_NextRunReadsItAgainFromANewSlot()
    {
        var name = CdcRun.SlotName("snapagain");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY); INSERT INTO {name} SELECT generate_series(1, 50)");
        var store = new Checkpoints.InMemoryCheckpointStore();
        var options = new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name], Snapshot = true, CheckpointStore = store };
        var first = new PostgresCdcSource(options);
        await first.OpenAsync();
        await using (var rows = first.ReadAsync().GetAsyncEnumerator())
        {
            Assert.True(await rows.MoveNextAsync()); // one row read, none acknowledged nor committed: as if killed here
        }

        await first.CloseAsync();
        await database.ExecuteAsync($"INSERT INTO {name} VALUES (51)");

        var second = await CdcRun.StartAsync(database, options);
        var records = await second.StopAfterAsync(51);

        Assert.Equal(Enumerable.Range(1, 51).Select(i => (long)i), records.Select(r => r.GetProperty("after").GetProperty("id").GetInt64()).Order());
        Assert.All(records, r => Assert.Equal("read", r.GetProperty("op").GetString())); // row 51 too: the new slot's snapshot holds it
    }

    [Fact]
    public async Task SlotLag_OpenSource_GaugeTaggedWithTheSlotFallsToZeroOnceEverythingIsConfirmed()
    {
        var name = CdcRun.SlotName("lag");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY)");
        long? lag = null;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "DataWeaver" && instrument.Name == "dataweaver.postgres.cdc.slot_lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "dataweaver.slot" && (string?)tag.Value == name)
                {
                    lag = value;
                }
            }
        });
        listener.Start();
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] });
        await database.ExecuteAsync($"INSERT INTO {name} SELECT generate_series(1, 5)");
        await CdcRun.WaitUntilAsync(() => Task.FromResult(run.Sink.Count >= 5), run.Run);

        await CdcRun.WaitUntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(lag == 0); // written, committed, and the keepalives' WAL confirmed while idle
        }, run.Run);
        await run.StopAfterAsync(5);
        lag = null;
        listener.RecordObservableInstruments();

        Assert.Null(lag); // a closed source is no longer measured
    }

    [Fact]
    public void Options_Invalid_ListsEveryFailure()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresCdcSource(new PostgresCdcOptions { Slot = "Bad-Name", MaxAttempts = 0 }));

        Assert.Contains("ConnectionString is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Slot must be", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts must be", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", new PostgresCdcOptions { ConnectionString = "Host=h;Password=secret" }.ToString(), StringComparison.Ordinal);
    }
}
