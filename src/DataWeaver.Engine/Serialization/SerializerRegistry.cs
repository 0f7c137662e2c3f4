using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using DataWeaver.Serialization.Internal;

namespace DataWeaver.Serialization;

/// <summary>
/// Serialization formats by name: connectors configured with <c>format: json</c> ask the registry for an
/// <see cref="IRecordSerializer{T}"/> or <see cref="IRecordDeserializer{T}"/> of their value type. Immutable once
/// built (see <see cref="SerializerRegistryBuilder"/>), so one instance can serve every pipeline and thread.
/// Format names are compared ignoring case.
/// </summary>
public sealed class SerializerRegistry
{
    private readonly FrozenDictionary<string, ISerializerFactory> _factories;

    internal SerializerRegistry(Dictionary<string, ISerializerFactory> factories)
    {
        _factories = factories.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Formats = [.. factories.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// Gets the registry of the built-in formats: <c>json</c> (typed values with System.Text.Json and
    /// <c>JsonSerializerOptions.Web</c> defaults, and the schema-less <see cref="Json.JsonRecord"/>),
    /// <c>raw</c> (<c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/> and <see cref="Memory{T}"/> of bytes as they are)
    /// and <c>utf8</c> (<see cref="string"/>).
    /// </summary>
    public static SerializerRegistry Default { get; } = CreateBuilder().Build();

    /// <summary>Gets the registered format names, sorted.</summary>
    public IReadOnlyList<string> Formats { get; }

    /// <summary>Creates a builder holding the built-in formats (<c>json</c>, <c>raw</c>, <c>utf8</c>); add yours with <see cref="SerializerRegistryBuilder.Register"/>.</summary>
    /// <returns>A new builder.</returns>
    public static SerializerRegistryBuilder CreateBuilder() => new SerializerRegistryBuilder()
        .Register(SerializerFactories.JsonFormat, SerializerFactories.Json())
        .Register(SerializerFactories.RawFormat, SerializerFactories.Raw)
        .Register(SerializerFactories.Utf8Format, SerializerFactories.Utf8);

    /// <summary>Creates a builder holding this registry's formats, to derive a registry with more.</summary>
    /// <returns>A new builder.</returns>
    public SerializerRegistryBuilder ToBuilder()
    {
        var builder = new SerializerRegistryBuilder();
        foreach (var name in Formats)
        {
            builder.Register(name, _factories[name]);
        }

        return builder;
    }

    /// <summary>Finds the factory registered under a name.</summary>
    /// <param name="format">The format name, any case.</param>
    /// <param name="factory">The factory, when found.</param>
    /// <returns><see langword="true"/> when the format is registered.</returns>
    public bool TryGetFactory(string format, [NotNullWhen(true)] out ISerializerFactory? factory)
    {
        ArgumentNullException.ThrowIfNull(format);
        return _factories.TryGetValue(format, out factory);
    }

    /// <summary>Creates a serializer of <typeparamref name="T"/> in the named format.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="format">The format name, any case.</param>
    /// <param name="settings">The connector's format settings; <see langword="null"/> means none.</param>
    /// <returns>The serializer.</returns>
    /// <exception cref="SerializerConfigurationException">The format is not registered, cannot write <typeparamref name="T"/>, or the settings are invalid.</exception>
    public IRecordSerializer<T> CreateSerializer<T>(string format, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (factory, request) = Resolve<T>(format, settings);
        return factory.CreateSerializer<T>(request) ?? throw CannotHandle<T>(request.Format, factory, "serialize");
    }

    /// <summary>Creates a deserializer of <typeparamref name="T"/> in the named format.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="format">The format name, any case.</param>
    /// <param name="settings">The connector's format settings; <see langword="null"/> means none.</param>
    /// <returns>The deserializer.</returns>
    /// <exception cref="SerializerConfigurationException">The format is not registered, cannot read <typeparamref name="T"/>, or the settings are invalid.</exception>
    public IRecordDeserializer<T> CreateDeserializer<T>(string format, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (factory, request) = Resolve<T>(format, settings);
        return factory.CreateDeserializer<T>(request) ?? throw CannotHandle<T>(request.Format, factory, "deserialize");
    }

    private (ISerializerFactory Factory, SerializerRequest Request) Resolve<T>(string format, IReadOnlyDictionary<string, string>? settings)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (!_factories.TryGetValue(format, out var factory))
        {
            var registered = Formats.Count == 0 ? "none" : string.Join(", ", Formats);
            throw new SerializerConfigurationException(
                format,
                typeof(T),
                Formats,
                $"Unknown serialization format '{format}' for type '{TypeNames.Of(typeof(T))}'. Registered formats: {registered}.");
        }

        // The registered spelling, so factories and error messages see one name.
        var name = Formats.First(f => string.Equals(f, format, StringComparison.OrdinalIgnoreCase));
        return (factory, new SerializerRequest(name, settings));
    }

    private SerializerConfigurationException CannotHandle<T>(string format, ISerializerFactory factory, string operation) =>
        new(
            format,
            typeof(T),
            Formats,
            $"Format '{format}' cannot {operation} type '{TypeNames.Of(typeof(T))}'; it handles {factory.SupportedTypes}. Registered formats: {string.Join(", ", Formats)}.");
}
