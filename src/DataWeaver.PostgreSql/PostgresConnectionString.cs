using Npgsql;

namespace DataWeaver.PostgreSql;

/// <summary>Connection strings as they may be shown: without the password (graphs, logs, errors, checkpoint keys).</summary>
internal static class PostgresConnectionString
{
    /// <summary>Host, port, database and user of a connection string; never its password.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        }
        catch (ArgumentException)
        {
            return "(an invalid connection string)";
        }
    }

    /// <summary>The connection string with the given application name (shown in pg_stat_activity) unless it names one.</summary>
    public static string WithApplicationName(string connectionString, string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = applicationName;
        }

        return builder.ConnectionString;
    }
}
