using DataWeaver.Checkpoints;
using DataWeaver.Configuration;
using DataWeaver.PostgreSql.Failover;

namespace DataWeaver.PostgreSql.Source;

/// <summary>The <c>postgres</c> source of definition files: its settings, checked when a file loads, and its factory.</summary>
internal static class PostgresSourceDefinition
{
    public static readonly ConnectorDescriptor Descriptor = new()
    {
        Description = "Reads a PostgreSQL table or query in keyset pages; incremental by a growing column with a key as tie-breaker, resuming from a checkpoint; follow polls for new rows.",
        Settings =
        [
            PostgresConnectorRegistryExtensions.ConnectionStringSetting,
            new("table", SettingType.String) { Default = "none", Description = "The table (orders or schema.orders); give table or query." },
            new("query", SettingType.String) { Default = "none", Description = "A query read instead of a table; the order columns must be among its columns." },
            new("incrementingColumn", SettingType.String) { Default = "none", Description = "A column that grows with each insert or update (updated_at, id): read in its order, resumed after it." },
            new("keyColumn", SettingType.String) { Default = "none: one pass, no resume", Description = "The unique key that orders the pages and breaks ties of incrementingColumn." },
            new("pageSize", SettingType.Integer) { Minimum = 1, Default = "1000", Description = "Rows per query." },
            new("follow", SettingType.Boolean) { Default = "false", Description = "Keep polling for new rows after the last one." },
            new("pollInterval", SettingType.Duration) { Default = "1s", Description = "The wait between polls when following." },
            new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Keep the position of the last row written in this folder and resume after it." },
            new("checkpointTable", SettingType.String) { Default = "none", Description = "Keep the position of the last row written in this table of the source's database (created when missing; e.g. dataweaver_checkpoints) and resume after it; instead of checkpointDirectory." },
        ],
        Validate = Validate,
    };

    public static PostgresSource Create(ConnectorContext context)
    {
        var checkpoints = context.Settings.GetPath("checkpointDirectory");
        var checkpointTable = context.Settings.GetString("checkpointTable");
        var options = ToOptions(context.Settings);
        options = options with
        {
            TimeProvider = context.TimeProvider,
            CheckpointStore = checkpoints is not null ? new FileCheckpointStore(checkpoints, new FileCheckpointStoreOptions { TimeProvider = context.TimeProvider })
                : checkpointTable is not null ? new PostgresCheckpointStore(new PostgresCheckpointStoreOptions { ConnectionString = options.ConnectionString, Table = checkpointTable })
                : null,
        };
        return new PostgresSource(options, context.Name);
    }

    private static PostgresSourceOptions ToOptions(ConnectorSettings settings)
    {
        var defaults = new PostgresSourceOptions();
        return new PostgresSourceOptions
        {
            ConnectionString = settings.GetString("connectionString") ?? "",
            Table = settings.GetString("table"),
            Query = settings.GetString("query"),
            IncrementingColumn = settings.GetString("incrementingColumn"),
            KeyColumn = settings.GetString("keyColumn"),
            PageSize = settings.GetInt32("pageSize", defaults.PageSize),
            Follow = settings.GetBoolean("follow", defaults.Follow),
            PollInterval = settings.GetDuration("pollInterval", defaults.PollInterval),
        };
    }

    private static IEnumerable<ConfigurationError> Validate(ConnectorSettings settings)
    {
        var options = ToOptions(settings);
        if (settings.Contains("checkpointDirectory") || settings.Contains("checkpointTable"))
        {
            options = options with { CheckpointStore = new InMemoryCheckpointStore() }; // only its presence is checked here
        }

        foreach (var failure in options.Validate())
        {
            yield return ConfigurationError.At(settings.Value, failure);
        }

        if (settings.Contains("checkpointDirectory") && settings.Get("checkpointTable") is { } table)
        {
            yield return ConfigurationError.At(table, "Give checkpointDirectory or checkpointTable, not both: the position is kept in one place.", ConfigurationErrorCode.InvalidValue);
        }
    }
}
