using DataWeaver.Checkpoints;
using DataWeaver.Configuration;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>The <c>postgres-cdc</c> source of definition files: its settings, checked when a file loads, and its factory.</summary>
internal static class PostgresCdcDefinition
{
    public static readonly ConnectorDescriptor Descriptor = new()
    {
        Description = "Captures a PostgreSQL publication's inserts, updates, deletes and truncates over logical replication (pgoutput); the slot's confirmed position moves only to what the pipeline committed.",
        Settings =
        [
            PostgresConnectorRegistryExtensions.ConnectionStringSetting,
            new("publication", SettingType.String) { Default = "dataweaver", Description = "The publication whose tables are captured; created for tables when missing." },
            new("slot", SettingType.String) { Default = "dataweaver", Description = "The logical replication slot keeping the position on the server; created when missing." },
            new("tables", SettingType.StringList) { Default = "none: the publication must exist", Description = "The tables to create the publication with when it is missing." },
            new("snapshot", SettingType.Boolean) { Default = "false", Description = "When the slot is created, first read every row of the publication's tables (needs checkpointDirectory)." },
            new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Where the source keeps that its snapshot is done." },
            new("transactionRecords", SettingType.Boolean) { Default = "false", Description = "Also emit begin and commit records." },
            new("statusInterval", SettingType.Duration) { Default = "10s", Description = "How often the position is sent to the server at least." },
        ],
        Validate = Validate,
    };

    public static PostgresCdcSource Create(ConnectorContext context)
    {
        var checkpoints = context.Settings.GetPath("checkpointDirectory");
        return new(ToOptions(context.Settings) with
        {
            TimeProvider = context.TimeProvider,
            CheckpointStore = checkpoints is null ? null : new FileCheckpointStore(checkpoints, new FileCheckpointStoreOptions { TimeProvider = context.TimeProvider }),
        }, context.Name);
    }

    private static PostgresCdcOptions ToOptions(ConnectorSettings settings)
    {
        var defaults = new PostgresCdcOptions();
        return new PostgresCdcOptions
        {
            ConnectionString = settings.GetString("connectionString") ?? "",
            Publication = settings.GetString("publication") ?? defaults.Publication,
            Slot = settings.GetString("slot") ?? defaults.Slot,
            Tables = settings.Contains("tables") ? settings.GetStringList("tables") : [],
            Snapshot = settings.GetBoolean("snapshot", defaults.Snapshot),
            CheckpointStore = settings.Contains("checkpointDirectory") ? new InMemoryCheckpointStore() : null, // its presence, for Validate
            TransactionRecords = settings.GetBoolean("transactionRecords", defaults.TransactionRecords),
            StatusInterval = settings.GetDuration("statusInterval", defaults.StatusInterval),
        };
    }

    private static IEnumerable<ConfigurationError> Validate(ConnectorSettings settings) =>
        ToOptions(settings).Validate().Select(failure => ConfigurationError.At(settings.Value, failure));
}
