using Npgsql;

namespace DataWeaver.PostgreSql.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests run against: the one eng/services/postgres.sh starts (DATAWEAVER_PG_CONNECTION, or its
/// default). Tests create databases and roles of their own (named dwtest_*), and drop them.
/// </summary>
internal static class PostgresServer
{
    public static string AdminConnectionString { get; } =
        Environment.GetEnvironmentVariable("DATAWEAVER_PG_CONNECTION") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=5432;Username=postgres;Password=dataweaver";

    public static string UniqueName(string prefix) => $"dwtest_{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, 8 + prefix.Length + 24)].ToLowerInvariant();

    public static string ConnectionString(string database, string? user = null, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database };
        if (user is not null)
        {
            builder.Username = user;
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<List<object?[]>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>A database of its own for a test class, dropped (with its roles) when disposed.</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private readonly List<string> _roles = [];

    public string Name { get; } = PostgresServer.UniqueName("db");

    /// <summary>Gets the connection string of the superuser, to this database.</summary>
    public string Admin => PostgresServer.ConnectionString(Name);

    public async Task InitializeAsync() =>
        await PostgresServer.ExecuteAsync(PostgresServer.AdminConnectionString, $"CREATE DATABASE \"{Name}\"");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // A database with logical replication slots cannot be dropped: drop the slots change data capture tests left.
        await PostgresServer.ExecuteAsync(PostgresServer.AdminConnectionString, $"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '{Name}' AND active");
        for (var i = 0; i < 50 && await PostgresServer.ScalarAsync<long>(PostgresServer.AdminConnectionString, $"SELECT count(*) FROM pg_replication_slots WHERE database = '{Name}' AND active") > 0; i++)
        {
            await Task.Delay(100);
        }

        await PostgresServer.ExecuteAsync(PostgresServer.AdminConnectionString, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '{Name}' AND NOT active");
        await PostgresServer.ExecuteAsync(PostgresServer.AdminConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        foreach (var role in _roles)
        {
            await PostgresServer.ExecuteAsync(PostgresServer.AdminConnectionString, $"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    /// <summary>Creates a login role whose password is <paramref name="password"/> (a contract test's canary secret) with every right on the public schema's tables and sequences.</summary>
    public async Task<string> CreateUserAsync(string password)
    {
        var role = PostgresServer.UniqueName("role");
        lock (_roles)
        {
            _roles.Add(role);
        }

        await PostgresServer.ExecuteAsync(Admin, $"""
            CREATE ROLE "{role}" LOGIN PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}';
            GRANT CONNECT ON DATABASE "{Name}" TO "{role}";
            GRANT USAGE ON SCHEMA public TO "{role}";
            GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}";
            GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}";
            """);
        return PostgresServer.ConnectionString(Name, role, password);
    }

    public Task ExecuteAsync(string sql) => PostgresServer.ExecuteAsync(Admin, sql);

    public Task<T> ScalarAsync<T>(string sql) => PostgresServer.ScalarAsync<T>(Admin, sql);

    public Task<List<object?[]>> QueryAsync(string sql) => PostgresServer.QueryAsync(Admin, sql);

    /// <summary>A table name for a contract context (its unique name, as an identifier).</summary>
    public static string TableOf(string uniqueName) => uniqueName.Replace('-', '_').ToLowerInvariant();
}
