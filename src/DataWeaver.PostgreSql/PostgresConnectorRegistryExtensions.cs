using DataWeaver.Configuration;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Source;

namespace DataWeaver.PostgreSql;

/// <summary>Adds PostgreSQL to pipeline definition files: the <c>postgres</c> source and sink types and the <c>postgres-cdc</c> source type.</summary>
public static class PostgresConnectorRegistryExtensions
{
    /// <summary>The connector type name in definition files.</summary>
    public const string TypeName = "postgres";

    /// <summary>The change data capture source's type name in definition files.</summary>
    public const string CdcTypeName = "postgres-cdc";

    /// <summary>The <c>connectionString</c> setting the source and the sink share.</summary>
    internal static readonly SettingDescriptor ConnectionStringSetting = new("connectionString", SettingType.String)
    {
        Required = true,
        Description = "The Npgsql connection string; put the password in a secret: Password=${secret:PG_PASSWORD}.",
    };

    /// <summary>
    /// Registers the <c>postgres</c> source (<see cref="PostgresSource"/>) and sink (<see cref="PostgresSink"/>) types and the
    /// <c>postgres-cdc</c> source (<see cref="PostgresCdcSource"/>)
    /// (docs/connectors/postgresql.md). Their <c>connectionString</c> takes the password from a secret
    /// (<c>Password=${secret:PG_PASSWORD}</c>), which appears in no log line, error, graph or checkpoint.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddPostgreSql(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterSource(TypeName, PostgresSourceDefinition.Create, PostgresSourceDefinition.Descriptor)
            .RegisterSink(TypeName, PostgresSinkDefinition.Create, PostgresSinkDefinition.Descriptor)
            .RegisterSource(CdcTypeName, PostgresCdcDefinition.Create, PostgresCdcDefinition.Descriptor);
    }
}
