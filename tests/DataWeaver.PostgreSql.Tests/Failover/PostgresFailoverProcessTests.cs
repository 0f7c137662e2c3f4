using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DataWeaver.PostgreSql.Failover;
using DataWeaver.PostgreSql.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.PostgreSql.Tests.Failover;

/// <summary>
/// Active/standby on real processes (tests/DataWeaver.PostgreSql.Harness, mode <c>failover</c>: a following PostgreSQL source
/// with a fenced PostgresCheckpointStore -> an upsert PostgresSink on a fenced table, under a lease of 5 s; mode
/// <c>failover-cdc</c>: the change data capture source on a slot, its position on the server, -> the same sink). Two instances
/// run; the active one is SIGKILLed, or paused with SIGSTOP until the standby took over and then resumed with SIGCONT. The
/// sink's side is recorded by a trigger on the sink table (every row written, with the writer's lease epoch, holder and
/// time) and on the checkpoint table (every save, with its epoch): the tests assert from there that no two writers
/// overlapped, that a deposed instance committed nothing after the take-over, and that no row was lost.
/// </summary>
public sealed class PostgresFailoverProcessTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int Rows = 3_000;
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Kill_ActiveMidStream_StandbyActiveWithinTenSecondsOfExpiry_NothingLost_NeverTwoWriters()
    {
        var names = await CreateTablesAsync("kill");
        using var a = Start(names, "a");
        await a.WaitForLineAsync("STATE Active epoch=1");
        using var b = Start(names, "b");
        await b.WaitForLineAsync("STATE Standby");
        await WaitForAsync(async () => await CountAsync(names.Sink) >= Rows / 3, a, b);

        a.Kill();
        var killedAt = await CountAsync(names.Sink);
        var expiry = await database.QueryAsync($"SELECT holder, epoch, expires_at FROM {names.Leases} WHERE name = '{names.Lease}'");
        Assert.Equal(["a", 1L], expiry[0][..2]);
        await b.WaitForLineAsync("STATE Active epoch=2");
        await WaitForAsync(async () => await CountAsync(names.Sink) >= Rows, b);
        var takeover = await database.ScalarAsync<double>($"SELECT extract(epoch FROM acquired_at - timestamptz '{Iso(expiry[0][2])}')::float8 FROM {names.Leases} WHERE name = '{names.Lease}' AND epoch = 2");
        var firstWriteOfB = await database.ScalarAsync<double>($"SELECT extract(epoch FROM min(at) - timestamptz '{Iso(expiry[0][2])}')::float8 FROM {names.Writes} WHERE epoch = 2");
        await b.StopAsync();

        var report = await CheckAsync(names);
        output.WriteLine($"rows at the kill {killedAt}; standby active {takeover:0.000} s after the lease expired, first write {firstWriteOfB:0.000} s after; {report}");
        Assert.Equal(0, b.ExitCode);
        Assert.InRange(takeover, 0, 10); // the must-show: active within 10 s of the expiry (a standby asks every 0.25 s)
        Assert.Equal(["a", "b"], report.Holders);
    }

    [Fact]
    public async Task Kill_ActiveCdcPipelineMidStream_StandbyTakesTheSlotOver_NothingLost_NeverTwoWriters()
    {
        var names = await CreateTablesAsync("cdc", cdc: true);
        using var a = Start(names, "a", "failover-cdc");
        await a.WaitForLineAsync("STATE Active epoch=1");
        using var b = Start(names, "b", "failover-cdc");
        await b.WaitForLineAsync("STATE Standby");
        await WaitForAsync(async () => await CountAsync(names.Sink) >= Rows / 3, a, b);

        a.Kill();
        var killedAt = await CountAsync(names.Sink);
        var expiry = await database.QueryAsync($"SELECT holder, epoch, expires_at FROM {names.Leases} WHERE name = '{names.Lease}'");
        Assert.Equal(["a", 1L], expiry[0][..2]);
        await b.WaitForLineAsync("STATE Active epoch=2");
        await WaitForAsync(async () => await CountAsync(names.Sink) >= Rows, b);
        var takeover = await database.ScalarAsync<double>($"SELECT extract(epoch FROM acquired_at - timestamptz '{Iso(expiry[0][2])}')::float8 FROM {names.Leases} WHERE name = '{names.Lease}' AND epoch = 2");
        await b.StopAsync();

        var report = await CheckAsync(names);
        output.WriteLine($"CDC: rows at the kill {killedAt}; standby active {takeover:0.000} s after the lease expired; {report}");
        Assert.Equal(0, b.ExitCode);
        Assert.InRange(takeover, 0, 10);
        Assert.Equal(["a", "b"], report.Holders);
    }

    [Fact]
    public async Task Pause_ActiveUntilTakenOverThenResumed_DeposedInstanceCommitsNothingAndStandsBy()
    {
        var names = await CreateTablesAsync("pause");
        using var a = Start(names, "a");
        await a.WaitForLineAsync("STATE Active epoch=1");
        using var b = Start(names, "b");
        await b.WaitForLineAsync("STATE Standby");
        await WaitForAsync(async () => await CountAsync(names.Sink) >= Rows / 4, a, b);

        a.Signal("STOP");
        await b.WaitForLineAsync("STATE Active epoch=2");
        await WaitForAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM {names.Writes} WHERE epoch = 2") >= 100, b);
        a.Signal("CONT");
        await a.WaitForLineAsync("STATE Standby epoch=0 reason=");
        await WaitForAsync(async () => await CountAsync(names.Sink) >= Rows, b);
        await a.StopAsync();
        await b.StopAsync();

        var report = await CheckAsync(names);
        var takenOver = await database.ScalarAsync<DateTime>($"SELECT acquired_at FROM {names.Leases} WHERE name = '{names.Lease}'");
        var lateWritesOfA = await database.ScalarAsync<long>($"SELECT count(*) FROM {names.Writes} WHERE epoch = 1 AND at >= timestamptz '{Iso(takenOver)}'");
        var lateSavesOfA = await database.ScalarAsync<long>($"SELECT count(*) FROM {names.Saves} WHERE epoch = 1 AND at >= timestamptz '{Iso(takenOver)}'");
        var lost = a.Lines.FirstOrDefault(line => line.StartsWith("STATE Standby epoch=0 reason=", StringComparison.Ordinal));
        output.WriteLine($"{report}; a after SIGCONT: {lost}");
        Assert.Equal(0, lateWritesOfA);
        Assert.Equal(0, lateSavesOfA);
        Assert.NotNull(lost);
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
    }

    private static string Iso(object? time) => ((DateTime)time!).ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture);

    private async Task<long> CountAsync(string table) => await database.ScalarAsync<long>($"SELECT count(*) FROM {table}");

    /// <summary>The tables, triggers and fence; with <paramref name="cdc"/> also a publication and slot named after the source table, created before its rows are inserted (in 30 transactions).</summary>
    private async Task<Names> CreateTablesAsync(string prefix, bool cdc = false)
    {
        var names = new Names(PostgresServer.UniqueName(prefix + "_src"), PostgresServer.UniqueName(prefix + "_dst"), PostgresServer.UniqueName(prefix + "_writes"), PostgresServer.UniqueName(prefix + "_saves"), PostgresServer.UniqueName(prefix + "_leases"), prefix);
        await database.ExecuteAsync($"""
            CREATE TABLE {names.Source} (id bigint PRIMARY KEY, payload text NOT NULL);
            {(cdc ? $"CREATE PUBLICATION {names.Source} FOR TABLE {names.Source};" : $"INSERT INTO {names.Source} SELECT i, 'item-' || i FROM generate_series(1, {Rows}) i;")}
            CREATE TABLE {names.Sink} (id bigint PRIMARY KEY, payload text NOT NULL);
            CREATE TABLE {names.Writes} (id bigint NOT NULL, epoch bigint, holder text, at timestamptz NOT NULL);
            CREATE FUNCTION {names.Writes}_log() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO {names.Writes} VALUES (NEW.id, nullif(current_setting('dataweaver.lease_epoch', true), '')::bigint, current_setting('dataweaver.lease_holder', true), clock_timestamp());
              RETURN NULL;
            END $$;
            CREATE TRIGGER log AFTER INSERT OR UPDATE ON {names.Sink} FOR EACH ROW EXECUTE FUNCTION {names.Writes}_log();
            CREATE TABLE dataweaver_checkpoints (key text PRIMARY KEY, partitions integer[] NOT NULL, offsets bigint[] NOT NULL, epoch bigint, saved_at timestamptz NOT NULL);
            CREATE TABLE {names.Saves} (key text NOT NULL, epoch bigint, at timestamptz NOT NULL);
            CREATE FUNCTION {names.Saves}_log() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.key LIKE '%{names.Source}' THEN
                INSERT INTO {names.Saves} VALUES (NEW.key, NEW.epoch, clock_timestamp());
              END IF;
              RETURN NULL;
            END $$;
            CREATE TRIGGER log_{names.Lease} AFTER INSERT OR UPDATE ON dataweaver_checkpoints FOR EACH ROW EXECUTE FUNCTION {names.Saves}_log();
            """.Replace("CREATE TABLE dataweaver_checkpoints", "CREATE TABLE IF NOT EXISTS dataweaver_checkpoints", StringComparison.Ordinal));
        await using var lease = new PostgresLease(new PostgresLeaseOptions { ConnectionString = database.Admin, Table = names.Leases, Name = names.Lease });
        await lease.InstallFenceAsync(names.Sink);
        if (cdc)
        {
            await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{names.Source}', 'pgoutput')");
        }

        for (var i = 0; cdc && i < 30; i++)
        {
            await database.ExecuteAsync($"INSERT INTO {names.Source} SELECT i, 'item-' || i FROM generate_series({(i * Rows / 30) + 1}, {(i + 1) * Rows / 30}) i");
        }

        return names;
    }

    /// <summary>From the sink's side: every row there with its payload, and the writes of each epoch strictly after those of the epoch before.</summary>
    private async Task<Report> CheckAsync(Names names)
    {
        var missing = await database.ScalarAsync<long>($"SELECT count(*) FROM {names.Source} s LEFT JOIN {names.Sink} d USING (id) WHERE d.payload IS DISTINCT FROM s.payload");
        Assert.Equal(0, missing);
        Assert.Equal((long)Rows, await CountAsync(names.Sink));
        var epochs = await database.QueryAsync($"SELECT epoch, min(holder), max(holder), min(at), max(at), count(*) FROM {names.Writes} GROUP BY epoch ORDER BY epoch");
        Assert.DoesNotContain(epochs, e => e[0] is null); // every write was fenced
        for (var i = 0; i < epochs.Count; i++)
        {
            Assert.Equal(epochs[i][1], epochs[i][2]); // one writer per epoch
            if (i > 0)
            {
                Assert.True((DateTime)epochs[i - 1][4]! < (DateTime)epochs[i][3]!, $"epoch {epochs[i - 1][0]} wrote until {epochs[i - 1][4]:O}, after epoch {epochs[i][0]} began at {epochs[i][3]:O}");
            }
        }

        var saves = await database.QueryAsync($"SELECT epoch, min(at), max(at) FROM {names.Saves} GROUP BY epoch ORDER BY epoch");
        for (var i = 1; i < saves.Count; i++)
        {
            Assert.True((DateTime)saves[i - 1][2]! < (DateTime)saves[i][1]!, $"checkpoint saves of epoch {saves[i - 1][0]} overlap those of {saves[i][0]}");
        }

        var writes = epochs.Sum(e => (long)e[5]!);
        return new Report([.. epochs.Select(e => (string)e[1]!)], writes - Rows, string.Join(", ", epochs.Select(e => $"epoch {e[0]} ({e[1]}): {e[5]} writes {e[3]:HH:mm:ss.fff}-{e[4]:HH:mm:ss.fff}")));
    }

    private Instance Start(Names names, string instance, string mode = "failover")
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DataWeaver.PostgreSql.Harness.dll"), mode, names.Source, names.Sink, names.Lease, instance])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DATAWEAVER_PG_HARNESS_CONNECTION"] = new Npgsql.NpgsqlConnectionStringBuilder(database.Admin) { SearchPath = "public" }.ConnectionString;
        start.Environment["DATAWEAVER_PG_LEASE_TABLE"] = names.Leases;
        return new Instance(Process.Start(start)!, instance, output);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, params Instance[] instances)
    {
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            if (instances.FirstOrDefault(i => i.Process.HasExited && !i.Killed) is { } ended)
            {
                throw new InvalidOperationException($"Instance {ended.Name} ended (exit code {ended.Process.ExitCode}): {string.Join(" | ", ended.Lines.TakeLast(20))}");
            }

            if (started.Elapsed > Guard)
            {
                throw new TimeoutException($"Not reached within {Guard}: {string.Join(" || ", instances.Select(i => i.Name + ": " + string.Join(" | ", i.Lines.TakeLast(10))))}");
            }

            await Task.Delay(50);
        }
    }

    private sealed record Names(string Source, string Sink, string Writes, string Saves, string Leases, string Lease);

    private sealed record Report(IReadOnlyList<string> Holders, long Duplicates, string Epochs)
    {
        public override string ToString() => $"{Rows} rows, 0 lost, {Duplicates} written twice; {Epochs}";
    }

    private sealed class Instance : IDisposable
    {
        private readonly ITestOutputHelper _output;

        public Instance(Process process, string name, ITestOutputHelper output)
        {
            Process = process;
            Name = name;
            _output = output;
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Name { get; }

        public bool Killed { get; private set; }

        public ConcurrentQueue<string> Lines { get; } = new();

        public int ExitCode => Process.HasExited ? Process.ExitCode : -1;

        public async Task WaitForLineAsync(string prefix)
        {
            using var guard = new CancellationTokenSource(Guard);
            while (!Lines.Any(line => line.StartsWith(prefix, StringComparison.Ordinal)))
            {
                if (Process.HasExited)
                {
                    throw new InvalidOperationException($"Instance {Name} ended (exit code {Process.ExitCode}) before '{prefix}': {string.Join(" | ", Lines.TakeLast(20))}");
                }

                await Task.Delay(20, guard.Token);
            }
        }

        public void Kill()
        {
            Killed = true;
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        public void Signal(string signal)
        {
            using var kill = Process.Start("kill", ["-" + signal, Process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task StopAsync()
        {
            Signal("TERM");
            using var guard = new CancellationTokenSource(Guard);
            await Process.WaitForExitAsync(guard.Token);
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Signal("CONT");
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            foreach (var line in Lines)
            {
                _output.WriteLine($"[{Name}] {line}");
            }

            Process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                Lines.Enqueue(line);
            }
        }
    }
}
