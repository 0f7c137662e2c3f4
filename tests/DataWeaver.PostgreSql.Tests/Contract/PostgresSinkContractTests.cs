using DataWeaver.Connectors;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.PostgreSql.Tests.Contract;

/// <summary>
/// The PostgreSQL sink against the sink contract, on the real server: a table per test, written by a role whose password
/// is the test's canary secret; read back by the superuser in insertion order (append) or key order (upsert). Broken by
/// revoking the role's write rights (the server refuses with 42501, a fatal error); repaired by granting them again.
/// </summary>
public abstract class PostgresSinkContractTests(PostgresDatabase database) : SinkContractTests<JsonRecord>, IClassFixture<PostgresDatabase>
{
    private readonly Dictionary<string, string> _users = [];

    protected abstract string TableDefinition { get; }

    protected abstract string ReadBackOrder { get; }

    protected abstract IReadOnlyList<string> KeyColumns { get; }

    protected override async ValueTask<SinkConnector<JsonRecord>> CreateSinkAsync(ContractContext context)
    {
        var table = PostgresDatabase.TableOf(context.UniqueName);
        if (!_users.TryGetValue(table, out var connectionString))
        {
            await database.ExecuteAsync($"CREATE TABLE {table} ({TableDefinition})");
            connectionString = await database.CreateUserAsync(context.Secret);
            _users[table] = connectionString;
        }

        return new PostgresSink(new PostgresSinkOptions { ConnectionString = connectionString, Table = table, KeyColumns = KeyColumns, RetryDelay = TimeSpan.FromMilliseconds(10) });
    }

    protected override JsonRecord CreateRecord(long sequence, ContractContext context) => JsonIds.Record(sequence);

    protected override long GetSequence(JsonRecord record) => JsonIds.Id(record);

    protected override async ValueTask<IReadOnlyList<JsonRecord>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync($"SELECT id, name FROM {PostgresDatabase.TableOf(context.UniqueName)} ORDER BY {ReadBackOrder}");
        return [.. rows.Select(row => JsonRecord.Parse($"{{\"id\":{row[0]},\"name\":\"{row[1]}\"}}"))];
    }

    protected override async ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        var table = PostgresDatabase.TableOf(context.UniqueName);
        var role = new Npgsql.NpgsqlConnectionStringBuilder(_users[table]).Username;
        await database.ExecuteAsync($"REVOKE INSERT, UPDATE, DELETE ON {table} FROM \"{role}\"");
        return new Repair(() => database.ExecuteAsync($"GRANT INSERT, UPDATE, DELETE ON {table} TO \"{role}\""));
    }

    private sealed class Repair(Func<Task> repair) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await repair();
    }
}

/// <summary>The append-only sink (binary COPY) against the sink contract.</summary>
public sealed class PostgresCopySinkContractTests(PostgresDatabase database) : PostgresSinkContractTests(database)
{
    protected override string TableDefinition => "seq bigserial PRIMARY KEY, id bigint NOT NULL, name text";

    protected override string ReadBackOrder => "seq";

    protected override IReadOnlyList<string> KeyColumns => [];
}

/// <summary>The keyed sink (upsert by id) against the sink contract.</summary>
public sealed class PostgresUpsertSinkContractTests(PostgresDatabase database) : PostgresSinkContractTests(database)
{
    protected override string TableDefinition => "id bigint PRIMARY KEY, name text";

    protected override string ReadBackOrder => "id";

    protected override IReadOnlyList<string> KeyColumns => ["id"];
}
