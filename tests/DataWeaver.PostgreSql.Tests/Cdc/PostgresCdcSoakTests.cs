using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;
using Xunit.Abstractions;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>
/// Run by hand (Category=Soak; it restarts the server, which other tests would feel): changes in mixed transactions
/// captured into a copy of the table through the PostgreSQL sink (upsert, delete on tombstones) while the server is
/// restarted once (immediate: a crash and recovery); the copy must equal the table at the end.
/// </summary>
[Trait("Category", "Soak")]
[Collection(ServerRestartCollection.Name)]
public sealed class PostgresCdcSoakTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Stream_MixedTransactionsServerRestarted_CopyEqualsTheTable()
    {
        const int Transactions = 4_000;
        var name = CdcRun.SlotName("soak");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, v bigint NOT NULL); CREATE TABLE {name}_copy (id bigint PRIMARY KEY, v bigint NOT NULL)");
        var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = database.Admin, Slot = name, Publication = name, Tables = [name], MaxAttempts = 20 });
        var sink = new PostgresSink(new PostgresSinkOptions { ConnectionString = database.Admin, Table = name + "_copy", KeyColumns = ["id"], MaxAttempts = 20 });
        long changes = 0;
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(200) })
            .Map(record =>
            {
                Interlocked.Increment(ref changes);
                var change = JsonDocument.Parse(record.Utf8).RootElement;
                return change.GetProperty("op").GetString() == "delete"
                    ? JsonRecord.Parse($"{{\"id\":{change.GetProperty("key").GetProperty("id").GetInt64()},\"__deleted\":true}}")
                    : JsonRecord.Parse(change.GetProperty("after").GetRawText());
            })
            .To(sink)
            .Build()
            .Start();
        await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{name}' AND active AND confirmed_flush_lsn IS NOT NULL") == 1, run);

        var clock = Stopwatch.StartNew();
        var random = new Random(15);
        for (var t = 0; t < Transactions; t++)
        {
            if (t == Transactions / 2)
            {
                // Immediate: a crash and recovery. A fast shutdown would wait for the walsender, whose client confirms only what
                // the sink wrote, and the sink writes to this very server: that circle ends only when the source disconnects.
                using var restart = Process.Start("pg_ctlcluster", "15 main restart -m immediate")!;
                await restart.WaitForExitAsync();
                Assert.Equal(0, restart.ExitCode);
            }

            var id = random.Next(0, 2_000);
            var sql = $"BEGIN; INSERT INTO {name} VALUES ({id}, {t}) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v; UPDATE {name} SET v = v + 1 WHERE id = {(id + 7) % 2_000}; DELETE FROM {name} WHERE id = {(id + 13) % 2_000}; INSERT INTO {name} VALUES ({2_000 + t}, 0); COMMIT;";
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await PostgresServer.ExecuteAsync(database.Admin, sql);
                    break;
                }
                catch (Npgsql.NpgsqlException) when (attempt < 50)
                {
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    await Task.Delay(200); // the server is restarting
                }
            }
        }

        var table = $"SELECT md5(coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '')) FROM {name}";
        var expected = await database.ScalarAsync<string>(table);
        await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<string>(table.Replace($"FROM {name}", $"FROM {name}_copy", StringComparison.Ordinal)) == expected, run);
        var caught = clock.Elapsed;
        run.RequestStop();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Transactions} transactions, {changes} change records (duplicates after the restart included), {source.Reconnections} reconnection(s); copy equal after {caught.TotalSeconds:0.0} s"));
        Assert.True(source.Reconnections >= 1, "The source never reconnected: the restart proved nothing.");
        Assert.Equal(expected, await database.ScalarAsync<string>(table.Replace($"FROM {name}", $"FROM {name}_copy", StringComparison.Ordinal)));
    }
}
