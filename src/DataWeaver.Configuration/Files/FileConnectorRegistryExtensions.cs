using DataWeaver.Configuration.Internal.Connectors;

namespace DataWeaver.Configuration;

/// <summary>The <c>file</c> source and sink in definition files, with the <c>text</c> format and the file layouts of <c>json</c> and <c>text</c>.</summary>
public static class FileConnectorRegistryExtensions
{
    /// <summary>
    /// Registers the <c>file</c> source and sink (<c>{ type: file, format: ..., settings: { path: ... } }</c>: a file, a
    /// folder, a pattern or standard input; a file or standard output), the <c>text</c> message format, and the file
    /// layouts of <c>json</c> and <c>text</c>. Formats with a layout of their own (csv, avro, protobuf) register it with
    /// their package's <c>AddXxx()</c>.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A source or sink named <c>file</c>, or a <c>text</c> format, is already registered.</exception>
    public static ConnectorRegistry AddFile(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        FileConnectors.Register(registry);
        return registry;
    }
}
