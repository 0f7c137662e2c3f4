using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;

namespace DataWeaver.Cli;

/// <summary>The one place where the CLI decides which connector types, frameworks and formats definition files may use.</summary>
internal static class CliRegistry
{
    /// <summary>Creates the registry of every command: the built-in connectors and the <c>kafka</c> framework.</summary>
    /// <returns>A new registry.</returns>
    public static ConnectorRegistry Create() => ConnectorRegistry.CreateDefault().AddKafka();
}
