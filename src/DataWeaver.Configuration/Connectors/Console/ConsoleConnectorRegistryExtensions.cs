using DataWeaver.Connectors.Console;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>The <c>console</c> sink in definition files. The sink itself is the engine's <see cref="ConsoleSink{T}"/>.</summary>
public static class ConsoleConnectorRegistryExtensions
{
    /// <summary>The <c>target</c> setting's default: standard output.</summary>
    private const string DefaultTarget = "stdout";

    private static readonly ConnectorDescriptor Descriptor = new()
    {
        Description = "Writes one record per line to the console.",
        Settings = [new("target", SettingType.String) { AllowedValues = ["stdout", "stderr"], Default = DefaultTarget, Description = "Standard output or standard error." }],
    };

    /// <summary>Registers the <c>console</c> sink: <c>sink: { type: console, settings: { target: stdout | stderr } }</c>; one record per line, in the connector's format.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A sink named <c>console</c> is already registered.</exception>
    public static ConnectorRegistry AddConsole(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.RegisterSink(
            "console",
            c => new ConsoleSink<JsonRecord>(
                c.Format.Name == "json" ? static r => r.ToString() : r => System.Text.Encoding.UTF8.GetString(c.Format.Encode(r)),
                c.Settings.GetString("target", DefaultTarget) == "stderr" ? System.Console.Error : System.Console.Out,
                c.Name),
            Descriptor);
    }
}
