using DataWeaver.Configuration;

namespace DataWeaver.PostgreSql.Sink;

/// <summary>The <c>postgres</c> sink of definition files: its settings, checked when a file loads, and its factory.</summary>
internal static class PostgresSinkDefinition
{
    public static readonly ConnectorDescriptor Descriptor = new()
    {
        Description = "Writes each batch to a PostgreSQL table in one transaction: binary COPY (append-only), or upsert and delete by keyColumns (a replay leaves the same table).",
        Settings =
        [
            PostgresConnectorRegistryExtensions.ConnectionStringSetting,
            new("table", SettingType.String) { Required = true, Description = "The table (orders or schema.orders); it must exist." },
            new("keyColumns", SettingType.StringList) { Default = "none: append with COPY", Description = "The key of a keyed table (its primary key or a unique constraint): records are upserted, tombstones deleted." },
            new("columns", SettingType.StringList) { Default = "the table's columns the server does not fill", Description = "The columns written, each from the record field of the same name." },
            new("deleteField", SettingType.String) { Default = "__deleted", Description = "A record whose field is true deletes the row of its key (keyed tables)." },
            new("maxAttempts", SettingType.Integer) { Minimum = 1, Default = "5", Description = "Attempts of a batch when the server fails transiently." },
            new("retryDelay", SettingType.Duration) { Default = "200ms", Description = "The wait before the first retry, doubled each time up to 5s." },
        ],
        Validate = Validate,
    };

    public static PostgresSink Create(ConnectorContext context) => new(ToOptions(context.Settings) with { TimeProvider = context.TimeProvider }, context.Name);

    private static PostgresSinkOptions ToOptions(ConnectorSettings settings)
    {
        var defaults = new PostgresSinkOptions();
        return new PostgresSinkOptions
        {
            ConnectionString = settings.GetString("connectionString") ?? "",
            Table = settings.GetString("table") ?? "",
            KeyColumns = settings.Contains("keyColumns") ? settings.GetStringList("keyColumns") : [],
            Columns = settings.Contains("columns") ? settings.GetStringList("columns") : null,
            DeleteField = settings.GetString("deleteField", defaults.DeleteField)!,
            MaxAttempts = settings.GetInt32("maxAttempts", defaults.MaxAttempts),
            RetryDelay = settings.GetDuration("retryDelay", defaults.RetryDelay),
            MaxRetryDelay = TimeSpan.FromTicks(Math.Max(defaults.MaxRetryDelay.Ticks, settings.GetDuration("retryDelay", defaults.RetryDelay).Ticks)),
        };
    }

    private static IEnumerable<ConfigurationError> Validate(ConnectorSettings settings) =>
        ToOptions(settings).Validate().Select(failure => ConfigurationError.At(settings.Value, failure));
}
