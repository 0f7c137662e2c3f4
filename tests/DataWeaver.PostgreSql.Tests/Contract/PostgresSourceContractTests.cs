using System.Diagnostics;
using DataWeaver.Connectors;
using DataWeaver.PostgreSql.Source;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;

namespace DataWeaver.PostgreSql.Tests.Contract;

/// <summary>
/// The PostgreSQL source against the source contract, on the real server: a table per test whose rows share
/// <c>updated_at</c> in runs of three, read incrementally by (updated_at, id) in pages of 7 (so pages end inside runs),
/// its position in the context's checkpoint store; connected as a role whose password is the canary secret. The crash
/// test kills the harness (tests/DataWeaver.PostgreSql.Harness: table -> JSON-lines file) three times while it reads
/// 6,000 rows sharing updated_at in runs of five.
/// </summary>
public sealed class PostgresSourceContractTests(PostgresDatabase database) : SourceContractTests<JsonRecord>, IClassFixture<PostgresDatabase>
{
    private readonly Dictionary<string, string> _users = [];

    protected override async ValueTask<SourceConnector<JsonRecord>> CreateSourceAsync(ContractContext context)
    {
        var table = PostgresDatabase.TableOf(context.UniqueName);
        if (context.Run == 0)
        {
            await CreateTableAsync(table, context.RecordCount, tie: 3);
            _users[table] = await database.CreateUserAsync(context.Secret);
        }

        return new PostgresSource(new PostgresSourceOptions
        {
            ConnectionString = _users[table],
            Table = table,
            IncrementingColumn = "updated_at",
            KeyColumn = "id",
            PageSize = 7,
            CheckpointStore = context.Checkpoints,
        });
    }

    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        const int Rows = 6_000;
        const int MaxInFlight = 256;
        var table = PostgresDatabase.TableOf(context.UniqueName);
        await CreateTableAsync(table, Rows, tie: 5);
        var output = Path.Combine(context.Directory, "crash-output.jsonl");
        var checkpoints = Path.Combine(context.Directory, "crash-checkpoints");
        return new ProcessCrashScenario(
            Rows,
            run =>
            {
                var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DataWeaver.PostgreSql.Harness.dll"), table, checkpoints, output]);
                start.Environment["DATAWEAVER_PG_HARNESS_CONNECTION"] = database.Admin;
                return start;
            },
            () => JsonIds.FileIds(output),
            new ProcessCrashOptions { Kills = 3, MaxDuplicatesPerKill = MaxInFlight });
    }

    protected override long GetSequence(JsonRecord record) => JsonIds.Id(record);

    /// <summary>Rows 0 to count - 1, inserted in a shuffled order; updated_at = base + id / tie seconds, so runs of rows share one.</summary>
    private async Task CreateTableAsync(string table, int count, int tie) => await database.ExecuteAsync($"""
        CREATE TABLE {table} (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL, name text);
        INSERT INTO {table} SELECT i, timestamptz '2026-12-01 08:00:00+00' + (i / {tie}) * interval '1 second', 'item-' || i
        FROM generate_series(0, {count - 1}) AS i ORDER BY md5(i::text);
        """);
}
