using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataWeaver.Connectors;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;
using Xunit.Abstractions;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>
/// The issue's CDC figure, run by hand (Category=Soak): the change data capture source in a pipeline against a hand-written
/// Npgsql replication loop decoding the same changes (pgoutput, binary, each change written as the same JSON envelope) with
/// the same guarantee (the confirmed flush LSN set to the end of the last transaction only after its changes were
/// "written", here counted and dropped by both). Each side reads its own slot, created before the changes, so both decode
/// the same WAL; the rounds alternate who goes first; the ratio is of changes per second and of CPU time per change.
/// </summary>
[Trait("Category", "Soak")]
public sealed class PostgresCdcBenchmarkTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int Changes = 200_000;
    private const int Rounds = 3;

    [Fact]
    public async Task Benchmark_CdcAgainstHandWrittenReplicationLoop_RatioReported()
    {
        var name = CdcRun.SlotName("cdcbench");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, name text, amount numeric, at timestamptz); CREATE PUBLICATION {name} FOR TABLE {name}");
        var ours = new List<(double Rate, double CpuUs)>();
        var theirs = new List<(double Rate, double CpuUs)>();
        for (var round = 0; round < Rounds; round++)
        {
            var slotOurs = $"{name}_o{round}";
            var slotTheirs = $"{name}_t{round}";
            await database.ExecuteAsync($"TRUNCATE {name}");
            await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{slotOurs}', 'pgoutput'); SELECT pg_create_logical_replication_slot('{slotTheirs}', 'pgoutput')");
            await ChangesAsync(name);
            for (var side = 0; side < 2; side++)
            {
                var handFirst = round % 2 == 0;
                if ((side == 0) == handFirst)
                {
                    theirs.Add(await MeasureAsync(() => HandWrittenLoopAsync(slotTheirs, name)));
                }
                else
                {
                    ours.Add(await MeasureAsync(() => PipelineAsync(slotOurs, name)));
                }
            }

            await database.ExecuteAsync($"SELECT pg_drop_replication_slot('{slotOurs}'); SELECT pg_drop_replication_slot('{slotTheirs}')");
        }

        var rate = ours.Zip(theirs, (a, b) => a.Rate / b.Rate).Order().ToList()[Rounds / 2];
        var cpu = ours.Zip(theirs, (a, b) => b.CpuUs / a.CpuUs).Order().ToList()[Rounds / 2];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CDC source in a pipeline: {string.Join(", ", ours.Select(r => $"{r.Rate:0} changes/s ({r.CpuUs:0.0} us CPU/change)"))}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hand-written Npgsql loop:  {string.Join(", ", theirs.Select(r => $"{r.Rate:0} changes/s ({r.CpuUs:0.0} us CPU/change)"))}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median ratio ours / hand-written: {rate:0.00}x by changes/s, {cpu:0.00}x by CPU per change (above 1: ours cheaper)"));
    }

    /// <summary>Changes in transactions of 10: 6 inserts, 3 updates, 1 delete.</summary>
    private async Task ChangesAsync(string table)
    {
        var n = Changes / 10;
        await database.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $$"""
            DO $$ BEGIN PERFORM set_config('synchronous_commit', 'off', false);
            FOR t IN 0..{{n - 1}} LOOP
              INSERT INTO {{table}} SELECT t * 6 + g, 'item-' || (t * 6 + g), (t * 6 + g) + 0.25, timestamptz '2026-12-07 10:00:00+00' + make_interval(secs => t) FROM generate_series(0, 5) g;
              UPDATE {{table}} SET amount = amount + 1, name = name || '-u' WHERE id BETWEEN t * 6 AND t * 6 + 2;
              DELETE FROM {{table}} WHERE id = t * 6 + 5;
              COMMIT;
            END LOOP; END $$
            """));
    }

    private static async Task<(double Rate, double CpuUs)> MeasureAsync(Func<Task<long>> run)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var count = await run();
        var elapsed = clock.Elapsed;
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        Assert.Equal(Changes, count);
        return (count / elapsed.TotalSeconds, used.TotalMicroseconds / count);
    }

    private async Task<long> PipelineAsync(string slot, string publication)
    {
        var sink = new CountingSink();
        var run = Pipeline.From(new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = database.Admin, Slot = slot, Publication = publication }), new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(100) })
            .To(sink)
            .Build()
            .Start();
        await CdcRun.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref sink.Count) >= Changes), run);
        run.RequestStop();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        return Volatile.Read(ref sink.Count);
    }

    /// <summary>
    /// What a user would write with Npgsql alone: stream the slot, write each change as a JSON envelope, and after every
    /// 1,024 changes (or an idle stream) confirm the end of the last transaction whose changes are all written.
    /// </summary>
    private async Task<long> HandWrittenLoopAsync(string slot, string publication)
    {
        await using var connection = new LogicalReplicationConnection(database.Admin);
        await connection.Open();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var buffer = new ArrayBufferWriter<byte>(512);
        await using var writer = new Utf8JsonWriter(buffer);
        long count = 0, sinceConfirm = 0;
        uint xid = 0;
        NpgsqlLogSequenceNumber lastEnd = default;
        await foreach (var message in connection.StartReplication(new PgOutputReplicationSlot(slot), new PgOutputReplicationOptions(publication, PgOutputProtocolVersion.V1, binary: true), cancel.Token))
        {
            switch (message)
            {
                case BeginMessage begin:
                    xid = begin.TransactionXid;
                    break;
                case InsertMessage insert:
                    await WriteAsync(writer, buffer, "insert", insert.Relation, insert.WalStart, xid, null, insert.NewRow);
                    count++;
                    sinceConfirm++;
                    break;
                case IndexUpdateMessage update:
                    await WriteAsync(writer, buffer, "update", update.Relation, update.WalStart, xid, update.Key, update.NewRow);
                    count++;
                    sinceConfirm++;
                    break;
                case UpdateMessage update:
                    await WriteAsync(writer, buffer, "update", update.Relation, update.WalStart, xid, null, update.NewRow);
                    count++;
                    sinceConfirm++;
                    break;
                case KeyDeleteMessage delete:
                    await WriteAsync(writer, buffer, "delete", delete.Relation, delete.WalStart, xid, delete.Key, null);
                    count++;
                    sinceConfirm++;
                    break;
                case CommitMessage commit:
                    lastEnd = commit.TransactionEndLsn;
                    if (sinceConfirm >= 1024 || count >= Changes)
                    {
                        // Everything up to this commit is written: confirm it.
                        connection.SetReplicationStatus(lastEnd);
                        await connection.SendStatusUpdate(cancel.Token);
                        sinceConfirm = 0;
                    }

                    break;
            }

            if (count >= Changes && message is CommitMessage)
            {
                break;
            }
        }

        return count;
    }

    private static async Task WriteAsync(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, string op, RelationMessage relation, NpgsqlLogSequenceNumber lsn, uint xid, ReplicationTuple? key, ReplicationTuple? after)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("op", op);
        writer.WriteString("table", relation.Namespace + "." + relation.RelationName);
        writer.WriteString("lsn", lsn.ToString());
        writer.WriteNumber("xid", xid);
        if (key is not null)
        {
            writer.WritePropertyName("key");
            await WriteTupleAsync(writer, relation, key);
        }

        if (after is not null)
        {
            writer.WritePropertyName("after");
            await WriteTupleAsync(writer, relation, after);
        }

        writer.WriteEndObject();
        await writer.FlushAsync();
        _ = JsonRecord.Parse(buffer.WrittenMemory.ToArray()); // the record handed on, as the source hands on its records
    }

    private static async Task WriteTupleAsync(Utf8JsonWriter writer, RelationMessage relation, ReplicationTuple tuple)
    {
        writer.WriteStartObject();
        var i = 0;
        await foreach (var value in tuple)
        {
            var column = relation.Columns[i++].ColumnName;
            if (value.IsDBNull || value.IsUnchangedToastedValue)
            {
                if (value.IsDBNull)
                {
                    writer.WriteNull(column);
                }

                continue;
            }

            switch (await value.Get())
            {
                case long l: writer.WriteNumber(column, l); break;
                case int n: writer.WriteNumber(column, n); break;
                case decimal d: writer.WriteNumber(column, d); break;
                case string s: writer.WriteString(column, s); break;
                case DateTime t: writer.WriteString(column, t); break;
                case var other: writer.WriteString(column, other.ToString()); break;
            }
        }

        writer.WriteEndObject();
    }

    private sealed class CountingSink() : SinkConnector<JsonRecord>("count")
    {
        public long Count;

        public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref Count, batch.Length);
            return default;
        }
    }
}
