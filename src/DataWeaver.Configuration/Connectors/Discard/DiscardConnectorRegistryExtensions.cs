using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>The <c>discard</c> sink in definition files: for measuring and for dry runs.</summary>
public static class DiscardConnectorRegistryExtensions
{
    /// <summary>Registers the <c>discard</c> sink, which acknowledges every record and keeps nothing: <c>sink: { type: discard }</c>.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A sink named <c>discard</c> is already registered.</exception>
    public static ConnectorRegistry AddDiscard(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.RegisterSink("discard", c => new DiscardSink<JsonRecord>(c.Name), new ConnectorDescriptor { Description = "Acknowledges every record and keeps nothing." });
    }
}
