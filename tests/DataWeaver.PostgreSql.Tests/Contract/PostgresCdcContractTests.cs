using System.Diagnostics;
using DataWeaver.Connectors;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;

namespace DataWeaver.PostgreSql.Tests.Contract;

/// <summary>
/// The change data capture source against the source contract, on the real server: per test a table, a publication and a
/// pgoutput slot (created before the rows, so the slot sees them), then the rows inserted one transaction each (so the
/// position after each record is a transaction's end); connected as a REPLICATION role whose password is the canary
/// secret. Restarts resume from the slot's confirmed position. The crash test kills the harness
/// (tests/DataWeaver.PostgreSql.Harness in cdc mode: slot -> JSON-lines file) three times while it streams 6,000
/// changes; duplicates per kill stay within the harness's in-flight bound (256).
/// </summary>
public sealed class PostgresCdcContractTests(PostgresDatabase database) : SourceContractTests<JsonRecord>, IClassFixture<PostgresDatabase>
{
    private readonly Dictionary<string, (string Slot, string User)> _tests = [];

    protected override async ValueTask<SourceConnector<JsonRecord>> CreateSourceAsync(ContractContext context)
    {
        if (context.Run == 0)
        {
            var slot = await CreateChangesAsync(context.RecordCount);
            var user = await database.CreateUserAsync(context.Secret);
            await database.ExecuteAsync($"ALTER ROLE \"{new Npgsql.NpgsqlConnectionStringBuilder(user).Username}\" REPLICATION");
            _tests[context.UniqueName] = (slot, user);
        }

        var (name, connectionString) = _tests[context.UniqueName];
        return new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = connectionString, Slot = name, Publication = name });
    }

    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        const int Changes = 6_000;
        const int MaxInFlight = 256;
        var slot = await CreateChangesAsync(Changes);
        var output = Path.Combine(context.Directory, "crash-output.jsonl");
        return new ProcessCrashScenario(
            Changes,
            run =>
            {
                var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DataWeaver.PostgreSql.Harness.dll"), "cdc", slot, output]);
                start.Environment["DATAWEAVER_PG_HARNESS_CONNECTION"] = database.Admin;
                return start;
            },
            () => JsonIds.FileIds(output, "after.id"),
            new ProcessCrashOptions { Kills = 3, MaxDuplicatesPerKill = MaxInFlight, StopLastRunWhenComplete = true });
    }

    /// <summary>
    /// Rows 0 to count - 1 one transaction each; with every row whose id ends in 3, in its transaction, a row whose
    /// interval has months (no time span form: undecodable), id -1 - i. The poison's bytes are the interval as the server
    /// sends it in binary (interval_send), and its position the change's ordinal in the stream.
    /// </summary>
    protected override async ValueTask<PoisonInput<JsonRecord>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var name = PostgresServer.UniqueName("cdcpoison").Replace('-', '_');
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, span interval); CREATE PUBLICATION {name} FOR TABLE {name}");
        await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{name}', 'pgoutput')");
        await database.ExecuteAsync($"DO $$ BEGIN PERFORM set_config('synchronous_commit', 'off', false); FOR i IN 0..{context.RecordCount - 1} LOOP INSERT INTO {name} VALUES (i, make_interval(secs => i)); IF i % 10 = 3 THEN INSERT INTO {name} VALUES (-1 - i, '1 mon 2 days'); END IF; COMMIT; END LOOP; END $$");
        var bytes = await database.ScalarAsync<byte[]>("SELECT interval_send('1 mon 2 days')");
        var poison = new List<PoisonRecord>();
        var ordinal = 0L;
        for (var i = 0; i < context.RecordCount; i++)
        {
            ordinal++; // the good row
            if (i % 10 == 3)
            {
                poison.Add(new PoisonRecord(bytes, new SourcePosition(0, ordinal++)));
            }
        }

        var user = await database.CreateUserAsync(context.Secret);
        await database.ExecuteAsync($"ALTER ROLE \"{new Npgsql.NpgsqlConnectionStringBuilder(user).Username}\" REPLICATION");
        return new PoisonInput<JsonRecord>(new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = user, Slot = name, Publication = name }), poison);
    }

    protected override long GetSequence(JsonRecord record) => JsonIds.Id(record, "after.id");

    /// <summary>A table, its publication and a slot (all named alike), then rows 0 to count - 1 inserted one transaction each.</summary>
    private async Task<string> CreateChangesAsync(int count)
    {
        var name = PostgresServer.UniqueName("cdc").Replace('-', '_');
        await database.ExecuteAsync($"CREATE TABLE {name} (id bigint PRIMARY KEY, name text); CREATE PUBLICATION {name} FOR TABLE {name}");
        await database.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{name}', 'pgoutput')");
        await database.ExecuteAsync($"DO $$ BEGIN PERFORM set_config('synchronous_commit', 'off', false); FOR i IN 0..{count - 1} LOOP INSERT INTO {name} VALUES (i, 'item-' || i); COMMIT; END LOOP; END $$");
        return name;
    }
}
