using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataWeaver.PostgreSql.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>
/// The must-show of change data capture, run by hand (Category=Soak; it restarts the server, which other tests would feel):
/// 200,000 changes (inserts, updates and deletes in transactions of 1 to 12) captured by a separate process
/// (tests/DataWeaver.PostgreSql.Harness in cdc-copy mode: slot -> a copy of the table through the PostgreSQL upsert sink,
/// and every change record appended to a log) while that process is SIGKILLed three times and the server is restarted once
/// with <c>-m immediate</c> (a crash and recovery). At the end the copy equals the table, and the log, checked against what
/// the writer did per key: no change lost, each key's changes in order, and changes delivered twice only by the run after a
/// kill (or the reconnection after the restart), at most the harness's in-flight bound each time.
/// </summary>
[Trait("Category", "Soak")]
[Collection(ServerRestartCollection.Name)]
public sealed class PostgresCdcKillSoakTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int Changes = 200_000;
    private const int Keys = 20_000;
    private const int MaxTransaction = 12;
    private const int MaxInFlight = 256; // CdcCopy.MaxInFlight of the harness

    [Fact]
    public async Task Stream_KilledThreeTimesServerRestartedOnce_CopyEqualsTableNoChangeLostOrderKept()
    {
        var name = CdcRun.SlotName("killsoak");
        var directory = Directory.CreateTempSubdirectory("dw-cdc-soak-").FullName;
        var log = Path.Combine(directory, "changes.jsonl");
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, v bigint NOT NULL); CREATE TABLE {name}_copy (id bigint PRIMARY KEY, v bigint NOT NULL); CREATE TABLE {name}_tx (seq bigint PRIMARY KEY)");
        await database.ExecuteAsync($"CREATE PUBLICATION {name} FOR TABLE {name}");
        await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{name}', 'pgoutput')");

        var expected = new Dictionary<long, List<(string Op, long V)>>();
        var clock = Stopwatch.StartNew();
        var harness = StartHarness(name, log);
        var runStarts = new List<long> { 0 };
        var events = new List<string>();
        var written = 0L;
        var writer = Task.Run(() => WriteAsync(name, expected, n => Volatile.Write(ref written, n)));

        // Three kills and one restart, spread over the writing: each when the writer has reached its fraction.
        var plan = new (double At, bool Restart)[] { (0.15, false), (0.35, false), (0.55, true), (0.75, false) };
        try
        {
            foreach (var (at, restart) in plan)
            {
                await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref written) >= at * Changes || writer.IsCompleted), harness, writer);
                if (restart)
                {
                    var before = CountLines(log);
                    var restartClock = Stopwatch.StartNew();
                    using var pg = Process.Start("pg_ctlcluster", "15 main restart -m immediate")!;
                    await pg.WaitForExitAsync();
                    await EnsureServerUpAsync(); // pg_ctlcluster may answer 1 while the server recovers
                    NpgsqlConnection.ClearAllPools(); // the pooled connections of this process died with the server
                    events.Add(string.Create(CultureInfo.InvariantCulture, $"server restarted (-m immediate, pg_ctlcluster exit {pg.ExitCode}) at {Volatile.Read(ref written)} changes written, log {before} lines, up after {restartClock.Elapsed.TotalSeconds:0.0} s"));
                }
                else
                {
                    harness.Kill();
                    await harness.WaitForExitAsync();
                    harness.Dispose();
                    var lines = CountLines(log);
                    runStarts.Add(lines);
                    events.Add(string.Create(CultureInfo.InvariantCulture, $"SIGKILL at {Volatile.Read(ref written)} changes written, log {lines} lines"));
                    harness = StartHarness(name, log);
                }
            }

            await writer;
            var writtenAt = clock.Elapsed;
            var table = $"SELECT md5(coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '')) FROM {name}";
            var state = await database.ScalarAsync<string>(table);
            await WaitUntilAsync(async () => await database.ScalarAsync<string>(table.Replace($"FROM {name}", $"FROM {name}_copy", StringComparison.Ordinal)) == state, harness, null);
            var caughtUp = clock.Elapsed;
            using (var term = Process.Start("kill", ["-TERM", harness.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                await harness.WaitForExitAsync(guard.Token);
            }

            Assert.Equal(0, harness.ExitCode);
            Assert.Equal(state, await database.ScalarAsync<string>(table.Replace($"FROM {name}", $"FROM {name}_copy", StringComparison.Ordinal)));

            var report = Check(log, runStarts, expected);
            foreach (var line in events)
            {
                output.WriteLine(line);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Expected} changes on {expected.Count} keys written in {writtenAt.TotalSeconds:0.0} s; copy equal after {caughtUp.TotalSeconds:0.0} s; log {report.Lines} records"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lost {report.Lost}, out of order keys {report.Disordered}, duplicates per run (after each kill) {string.Join(", ", report.DuplicatesPerRun)}, within runs (reconnection) {string.Join(", ", report.WithinRun)}"));
            Assert.Equal(0, report.Lost);
            Assert.Equal(0, report.Disordered);
            Assert.Equal(0, report.DuplicatesPerRun[0]);
            Assert.All(report.DuplicatesPerRun, d => Assert.InRange(d, 0, MaxInFlight + MaxTransaction));
            Assert.All(report.WithinRun, d => Assert.InRange(d, 0, MaxInFlight + MaxTransaction)); // only the run the server restarted under
            Assert.True(report.WithinRun.Count(d => d > 0) <= 1, "Changes repeated within a run that the server did not restart under.");
        }
        finally
        {
            if (!harness.HasExited)
            {
                harness.Kill();
            }

            harness.Dispose();
            await EnsureServerUpAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private Process StartHarness(string name, string log)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DataWeaver.PostgreSql.Harness.dll"), "cdc-copy", name, name + "_copy", log])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["DATAWEAVER_PG_HARNESS_CONNECTION"] = database.Admin;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                output.WriteLine("harness: " + line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// One writer, transactions of 1 to 12 changes, each a single row: an insert of a new key, an update or a delete of an
    /// existing one; each transaction also records its number in a table outside the publication, so that after the server
    /// restart a transaction whose COMMIT got no answer is known to have committed or not.
    /// </summary>
    private async Task WriteAsync(string name, Dictionary<long, List<(string Op, long V)>> expected, Action<long> progress)
    {
        var random = new Random(15);
        var live = new List<long>();
        var liveIndex = new Dictionary<long, int>();
        long nextKey = 0, count = 0, seq = 0;
        NpgsqlConnection? connection = null;
        var sql = new StringBuilder();
        var pending = new List<(long Key, string Op, long V)>();
        while (count < Changes)
        {
            seq++;
            sql.Clear().Append("BEGIN;");
            pending.Clear();
            var size = random.Next(1, MaxTransaction + 1);
            var touched = new HashSet<long>();
            for (var i = 0; i < size && count + pending.Count < Changes; i++)
            {
                var roll = random.Next(100);
                var v = (seq * 100) + i;
                if (live.Count < Keys / 2 || roll < 40)
                {
                    var key = nextKey++;
                    touched.Add(key);
                    sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO {name} VALUES ({key}, {v});");
                    pending.Add((key, "insert", v));
                    continue;
                }

                var existing = live[random.Next(live.Count)];
                if (!touched.Add(existing))
                {
                    continue; // an existing key changes at most once per transaction
                }

                if (roll < 75)
                {
                    sql.Append(CultureInfo.InvariantCulture, $"UPDATE {name} SET v = {v} WHERE id = {existing};");
                    pending.Add((existing, "update", v));
                }
                else
                {
                    sql.Append(CultureInfo.InvariantCulture, $"DELETE FROM {name} WHERE id = {existing};");
                    pending.Add((existing, "delete", -1));
                }
            }

            sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO {name}_tx VALUES ({seq}); COMMIT;");
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(database.Admin + ";Pooling=false");
                        await connection.OpenAsync();
                        using var check = new NpgsqlCommand($"SELECT count(*) FROM {name}_tx WHERE seq = {seq}", connection);
                        if ((long)(await check.ExecuteScalarAsync())! == 1)
                        {
                            break; // committed before the connection was lost
                        }
                    }

                    using var command = new NpgsqlCommand(sql.ToString(), connection);
                    await command.ExecuteNonQueryAsync();
                    break;
                }
                catch (NpgsqlException) when (attempt < 200)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }

                    connection = null;
                    await Task.Delay(100); // the server is restarting
                }
            }

            foreach (var (key, op, v) in pending)
            {
                if (!expected.TryGetValue(key, out var list))
                {
                    expected[key] = list = [];
                }

                list.Add((op, v));
                if (op == "insert")
                {
                    liveIndex[key] = live.Count;
                    live.Add(key);
                }
                else if (op == "delete")
                {
                    var at = liveIndex[key];
                    var last = live[^1];
                    live[at] = last;
                    liveIndex[last] = at;
                    live.RemoveAt(live.Count - 1);
                    liveIndex.Remove(key);
                }
            }

            count += pending.Count;
            progress(count);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private sealed record Report(long Expected, long Lines, long Lost, long Disordered, List<long> DuplicatesPerRun, List<long> WithinRun);

    /// <summary>
    /// The log against the writer: a change is known by its LSN. Lost: expected changes of a key missing from the distinct
    /// changes logged for it; disordered: keys whose distinct changes came in another order than written. Duplicates of a
    /// run: its records whose LSN an earlier run logged (delivered again after the kill); within a run: LSNs it logged twice.
    /// </summary>
    private static Report Check(string log, List<long> runStarts, Dictionary<long, List<(string Op, long V)>> expected)
    {
        var lines = File.ReadAllLines(log);
        var seen = new Dictionary<string, int>(); // LSN -> run that first logged it
        var delivered = new Dictionary<long, List<(string Op, long V)>>();
        var perRun = new List<long>();
        var withinRun = new List<long>();
        var run = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            while (run + 1 < runStarts.Count && i >= runStarts[run + 1])
            {
                run++;
                perRun.Add(0);
                withinRun.Add(0);
            }

            using var change = JsonDocument.Parse(lines[i]);
            var root = change.RootElement;
            var lsn = root.GetProperty("lsn").GetString()!;
            if (seen.TryGetValue(lsn, out var firstRun))
            {
                if (firstRun == run)
                {
                    withinRun[run]++;
                }
                else
                {
                    perRun[run]++;
                }

                continue;
            }

            seen[lsn] = run;
            var op = root.GetProperty("op").GetString()!;
            var key = op == "delete" ? root.GetProperty("key").GetProperty("id").GetInt64() : root.GetProperty("after").GetProperty("id").GetInt64();
            var v = op == "delete" ? -1 : root.GetProperty("after").GetProperty("v").GetInt64();
            if (!delivered.TryGetValue(key, out var list))
            {
                delivered[key] = list = [];
            }

            list.Add((op, v));
        }

        while (perRun.Count < runStarts.Count)
        {
            perRun.Add(0);
            withinRun.Add(0);
        }

        long total = 0, lost = 0, disordered = 0;
        foreach (var (key, changes) in expected)
        {
            total += changes.Count;
            var got = delivered.GetValueOrDefault(key) ?? [];
            lost += changes.Count(c => !got.Contains(c));
            if (!got.SequenceEqual(changes))
            {
                disordered++;
            }
        }

        disordered += delivered.Keys.Count(key => !expected.ContainsKey(key)); // changes nobody made

        return new Report(total, lines.Length, lost, disordered, perRun, withinRun);
    }

    private static long CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        long lines = 0;
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process harness, Task? writer)
    {
        var start = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (harness.HasExited)
            {
                throw new InvalidOperationException($"The harness ended (exit code {harness.ExitCode}) before the condition held.");
            }

            if (writer is { IsFaulted: true })
            {
                await writer;
            }

            Assert.True(Stopwatch.GetElapsedTime(start) < TimeSpan.FromMinutes(10), "The condition did not hold within 10 minutes.");
            await Task.Delay(100);
        }
    }

    private static async Task EnsureServerUpAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            using var ready = Process.Start("pg_isready", "-q -h 127.0.0.1 -p 5432")!;
            await ready.WaitForExitAsync();
            if (ready.ExitCode == 0)
            {
                return;
            }

            if (i == 20)
            {
                using var start = Process.Start("pg_ctlcluster", "15 main start")!;
                await start.WaitForExitAsync();
            }

            await Task.Delay(200);
        }
    }
}
