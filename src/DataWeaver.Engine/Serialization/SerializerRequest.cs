using System.Collections.Frozen;

namespace DataWeaver.Serialization;

/// <summary>What a connector asks a <see cref="ISerializerFactory"/> for: the format name it used and its format settings.</summary>
public sealed class SerializerRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoSettings = FrozenDictionary<string, string>.Empty;

    /// <summary>Creates a request.</summary>
    /// <param name="format">The format name, as registered.</param>
    /// <param name="settings">The connector's format settings (for example an Avro schema path); <see langword="null"/> means none. Copied.</param>
    public SerializerRequest(string format, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(format);
        Format = format;
        Settings = settings is null || settings.Count == 0
            ? NoSettings
            : settings.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the format name, as registered.</summary>
    public string Format { get; }

    /// <summary>Gets the format settings, keys compared ignoring case.</summary>
    /// <value>Empty by default.</value>
    public IReadOnlyDictionary<string, string> Settings { get; }
}
