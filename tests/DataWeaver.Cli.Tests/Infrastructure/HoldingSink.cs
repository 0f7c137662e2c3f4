using DataWeaver.Configuration;
using DataWeaver.Connectors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Cli.Tests.Infrastructure;

/// <summary>A sink whose writes wait until the run is aborted: a drain cannot finish while it holds a batch.</summary>
internal sealed class HoldingSink() : SinkConnector<JsonRecord>("hold")
{
    public const string Type = "hold";

    /// <summary>The CLI's registry plus the <c>hold</c> sink type.</summary>
    public static ConnectorRegistry Registry() => CliRegistry.Create().RegisterSink(Type, _ => new HoldingSink());

    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default) =>
        await Task.Delay(Timeout.Infinite, cancellationToken);
}
