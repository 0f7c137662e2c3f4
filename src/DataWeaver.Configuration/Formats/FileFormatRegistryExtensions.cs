using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace DataWeaver.Configuration.Formats;

/// <summary>
/// File layouts of formats for the <c>file</c> source and sink. A format registered only as a message format
/// (<see cref="ConnectorRegistry.RegisterFormat"/>) is read and written by the <c>file</c> connector one payload per
/// line; a format with its own layout (csv, an Avro container, length-delimited Protobuf) registers it here too, under
/// the same name, taking the same (already validated) format settings.
/// </summary>
public static class FileFormatRegistryExtensions
{
    private static readonly ConditionalWeakTable<ConnectorRegistry, ConcurrentDictionary<string, Func<ConnectorSettings, RecordFileFormat>>> Layouts = [];

    /// <summary>Registers the file layout of a format.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="name">The format's name, as registered with <see cref="ConnectorRegistry.RegisterFormat"/>.</param>
    /// <param name="factory">Makes the layout from the format's settings.</param>
    /// <returns>The registry.</returns>
    /// <exception cref="ArgumentException">A layout of that name is already registered.</exception>
    public static ConnectorRegistry RegisterFileFormat(this ConnectorRegistry registry, string name, Func<ConnectorSettings, RecordFileFormat> factory)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!Layouts.GetValue(registry, static _ => new(StringComparer.OrdinalIgnoreCase)).TryAdd(name, factory))
        {
            throw new ArgumentException($"A file format named '{name}' is already registered.", nameof(name));
        }

        return registry;
    }

    /// <summary>Gets the file layout registered for a format, if any.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="name">The format's name.</param>
    /// <param name="factory">The layout's factory.</param>
    /// <returns><see langword="true"/> when the format has a file layout of its own.</returns>
    public static bool TryGetFileFormat(this ConnectorRegistry registry, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Func<ConnectorSettings, RecordFileFormat>? factory)
    {
        ArgumentNullException.ThrowIfNull(registry);
        factory = null;
        return Layouts.TryGetValue(registry, out var layouts) && layouts.TryGetValue(name, out factory);
    }
}
