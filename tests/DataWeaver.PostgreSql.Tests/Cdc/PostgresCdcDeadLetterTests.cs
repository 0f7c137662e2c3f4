using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Records;
using NpgsqlTypes;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>
/// Changes holding a value the source cannot decode, on the real server: dead-lettered with their coordinates and the
/// value's bytes as the server sends them (checked against the type's own send function and a test_decoding slot's
/// LSN and transaction id), confirmed to the server only once the dead letter is written, never sent again after a
/// restart; under the default policy the run fails naming the table, the column and the LSN, and the change is kept.
/// </summary>
public sealed class PostgresCdcDeadLetterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Stream_UndecodableValues_DeadLetteredWithCoordinatesAndOriginalBytesGoodRowsKept()
    {
        var name = CdcRun.SlotName("dead");
        var table = "public." + name;
        await database.ExecuteAsync($"CREATE TYPE {name}_pair AS (a integer, b text); CREATE TABLE {name} (id bigint PRIMARY KEY, n numeric, span interval, ts timestamp, pair {name}_pair, ns numeric[])");
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var options = new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] };
        var run = await CdcRun.StartAsync(database, options, letters);
        await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{name}_td', 'test_decoding')"); // the coordinates, independently

        await database.ExecuteAsync($"INSERT INTO {name} VALUES (1, 1.50, '1 day 02:03:04', '2026-12-07 10:11:12', NULL, ARRAY[1.5, NULL, 1e30])");
        await database.ExecuteAsync($"BEGIN; INSERT INTO {name} (id, n) VALUES (2, 'NaN'); INSERT INTO {name} (id, n) VALUES (3, -0.25); COMMIT");
        await database.ExecuteAsync($"INSERT INTO {name} (id, span) VALUES (4, '1 mon')");
        await database.ExecuteAsync($"INSERT INTO {name} (id, ts) VALUES (5, '10000-01-01 00:00:00')");
        await database.ExecuteAsync($"INSERT INTO {name} (id, pair) VALUES (6, ROW(1, 'x'))");
        await database.ExecuteAsync($"UPDATE {name} SET ns = ARRAY['NaN'::numeric] WHERE id = 1");
        await database.ExecuteAsync($"INSERT INTO {name} (id, ts) VALUES (7, 'infinity')");
        await CdcRun.WaitUntilAsync(() => Task.FromResult(letters.Count >= 5), run.Run);
        var records = await run.StopAfterAsync(3);

        // 0 lost: every good change, in order, exactly as decoded (numeric beyond decimal exact, infinity as Npgsql reads it).
        Assert.Equal(
            [
                """{"id":1,"n":1.50,"span":"1.02:03:04","ts":"2026-12-07T10:11:12","pair":null,"ns":[1.5,null,1000000000000000000000000000000]}""",
                """{"id":3,"n":-0.25,"span":null,"ts":null,"pair":null,"ns":null}""",
                """{"id":7,"n":null,"span":null,"ts":"9999-12-31T23:59:59.999999","pair":null,"ns":null}""",
            ],
            records.Select(r => r.GetProperty("after").GetRawText()));

        // The dead letters: the value's bytes as the type's send function writes them, the change's LSN and transaction
        // as a test_decoding slot saw them, the table, the column and the type, in stream order at their positions.
        var decoded = await database.QueryAsync($"SELECT lsn::text, xid::text::bigint, data FROM pg_logical_slot_peek_changes('{name}_td', NULL, NULL) WHERE data LIKE 'table %'");
        (string Lsn, uint Xid) Coordinates(string change)
        {
            var row = Assert.Single(decoded, r => ((string)r[2]!).StartsWith($"table {table}: {change} ", StringComparison.Ordinal));
            return ((string)row[0]!, (uint)(long)row[1]!);
        }

        var expected = new (string Change, string Column, string Type, string Send, long Position)[]
        {
            ("INSERT: id[bigint]:2", "n", "numeric", "numeric_send('NaN')", 1),
            ("INSERT: id[bigint]:4", "span", "interval", "interval_send('1 mon')", 3),
            ("INSERT: id[bigint]:5", "ts", "timestamp without time zone", "timestamp_send('10000-01-01 00:00:00')", 4),
            ("INSERT: id[bigint]:6", "pair", $"public.{name}_pair", $"record_send(ROW(1, 'x')::{name}_pair)", 5),
            ("UPDATE: id[bigint]:1", "ns", "numeric[]", "array_send(ARRAY['NaN'::numeric])", 6),
        };
        Assert.Equal(expected.Length, letters.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var (change, column, type, send, position) = expected[i];
            var letter = letters.Records[i];
            var error = Assert.IsType<PostgresCdcValueException>(letter.Exception);
            var (lsn, xid) = Coordinates(change);
            Assert.Equal(await database.ScalarAsync<byte[]>($"SELECT {send}"), letter.Payload.ToArray());
            Assert.Equal((name, lsn, xid, table, column, type), (error.Slot, error.Lsn, error.TransactionId, error.Relation, error.Column, error.DataType));
            Assert.Equal(ErrorClass.Data, letter.ErrorClass);
            Assert.Equal(run.Source.Name, letter.Source);
            Assert.Equal(new SourcePosition(0, position), letter.Position);
            Assert.Contains($"LSN {lsn} ", letter.Exception.Message, StringComparison.Ordinal);
            Assert.Contains($"column '{column}' ({type}) of {table}", letter.Exception.Message, StringComparison.Ordinal);
        }

        // Past every dead-lettered change: the server's confirmed position is beyond the last change.
        var last = NpgsqlLogSequenceNumber.Parse(records[^1].GetProperty("lsn").GetString()!);
        Assert.True(await database.ScalarAsync<NpgsqlLogSequenceNumber>($"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{name}'") > last);

        // A restart streams from there: no dead-lettered (or delivered) change comes again.
        var again = new CollectionSink<DeadLetter>("dead-letters-2");
        var second = await CdcRun.StartAsync(database, options, again);
        await database.ExecuteAsync($"INSERT INTO {name} (id) VALUES (8)");
        var after = await second.StopAfterAsync(1);
        await database.ExecuteAsync($"SELECT pg_drop_replication_slot('{name}_td')");

        Assert.Equal(["""{"id":8,"n":null,"span":null,"ts":null,"pair":null,"ns":null}"""], after.Select(r => r.GetProperty("after").GetRawText()));
        Assert.Empty(again.Records);
    }

    [Fact]
    public async Task Stream_DeadLetterNotYetWritten_ServerPositionStaysBeforeTheChangeUntilItIs()
    {
        var name = CdcRun.SlotName("deadgate");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, span interval)");
        var letters = new GatedSink<DeadLetter>("dead-letters");
        var run = await CdcRun.StartAsync(database, new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] }, letters);

        await database.ExecuteAsync($"INSERT INTO {name} VALUES (1, '1 mon')");
        await database.ExecuteAsync($"INSERT INTO {name} VALUES (2, '1 second')");
        await CdcRun.WaitUntilAsync(() => Task.FromResult(run.Sink.Count == 1 && !letters.Received.IsEmpty), run.Run);
        var bad = NpgsqlLogSequenceNumber.Parse(Assert.IsType<PostgresCdcValueException>(Assert.Single(letters.Received).Exception).Lsn);
        var good = NpgsqlLogSequenceNumber.Parse(CdcRun.Parse(run.Sink.Records[0]).GetProperty("lsn").GetString()!);
        Assert.True(good > bad);

        // The later change is written and acknowledged, the dead letter is not: the server is told nothing past the bad change
        // (a confirmed position at the change itself is before its transaction's end: the transaction comes again).
        for (var i = 0; i < 20; i++)
        {
            Assert.True(NpgsqlLogSequenceNumber.Parse(run.Source.ConfirmedLsn) <= bad, $"Confirmed {run.Source.ConfirmedLsn} before the dead letter of {bad} was written.");
            Assert.True(await database.ScalarAsync<NpgsqlLogSequenceNumber>($"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{name}'") <= bad); // at most up to the change: its transaction comes again
            await Task.Delay(50);
        }

        letters.Gate.SetResult();
        await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<NpgsqlLogSequenceNumber>($"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{name}'") > good, run.Run);
        run.Run.RequestStop();
        await run.Run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Stream_UndecodableValueUnderFailPolicy_RunFailsNamingTableColumnAndLsnAndKeepsTheChange()
    {
        var name = CdcRun.SlotName("deadfail");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, n numeric)");
        var options = new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name] };
        var run = await CdcRun.StartAsync(database, options);

        await database.ExecuteAsync($"INSERT INTO {name} VALUES (1, 1)");
        await CdcRun.WaitUntilAsync(async () => run.Sink.Count == 1 && await database.ScalarAsync<NpgsqlLogSequenceNumber>($"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{name}'") > NpgsqlLogSequenceNumber.Parse(CdcRun.Parse(run.Sink.Records[0]).GetProperty("lsn").GetString()!), run.Run);
        await database.ExecuteAsync($"INSERT INTO {name} VALUES (2, 'Infinity')");
        var error = await Assert.ThrowsAsync<PostgresCdcValueException>(() => run.Run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Equal(("public." + name, "n", "numeric", name), (error.Relation, error.Column, error.DataType, error.Slot));
        Assert.Contains($"LSN {error.Lsn} ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"column 'n' (numeric) of public.{name}", error.Message, StringComparison.Ordinal);
        Assert.Contains("numeric Infinity has no JSON number", error.Message, StringComparison.Ordinal);
        Assert.Equal("""{"id":1,"n":1}""", CdcRun.Parse(Assert.Single(run.Sink.Records)).GetProperty("after").GetRawText());
        var bad = NpgsqlLogSequenceNumber.Parse(error.Lsn);
        Assert.True(await database.ScalarAsync<NpgsqlLogSequenceNumber>($"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{name}'") <= bad); // at most up to the change: its transaction comes again

        // Not skipped: the next run gets the same change again (here dead-lettered), and nothing before it.
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var second = await CdcRun.StartAsync(database, options, letters);
        await database.ExecuteAsync($"INSERT INTO {name} VALUES (3, 3)");
        var after = await second.StopAfterAsync(1);

        Assert.Equal("""{"id":3,"n":3}""", Assert.Single(after).GetProperty("after").GetRawText());
        Assert.Equal(error.Lsn, Assert.IsType<PostgresCdcValueException>(Assert.Single(letters.Records).Exception).Lsn);
    }

    /// <summary>A sink that takes its records in and completes no write until <see cref="Gate"/> is set.</summary>
    private sealed class GatedSink<T>(string name) : SinkConnector<T>(name)
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<T> Received { get; } = new();

        public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
        {
            foreach (var item in batch.ToArray())
            {
                Received.Enqueue(item);
            }

            await Gate.Task.WaitAsync(cancellationToken);
        }
    }
}
