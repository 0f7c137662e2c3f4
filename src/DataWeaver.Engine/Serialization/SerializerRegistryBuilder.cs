namespace DataWeaver.Serialization;

/// <summary>
/// Builds a <see cref="SerializerRegistry"/>. Sealed and fluent; validates each registration as it is added; builds
/// once. Other assemblies add their formats through extension methods on this type (for example Avro's
/// <c>AddAvro()</c>). Not thread-safe.
/// </summary>
public sealed class SerializerRegistryBuilder
{
    private readonly Dictionary<string, ISerializerFactory> _factories = new(StringComparer.OrdinalIgnoreCase);
    private bool _built;

    /// <summary>Registers a format under a name.</summary>
    /// <param name="name">The format name: letters, digits, <c>-</c>, <c>_</c> or <c>.</c>; compared ignoring case.</param>
    /// <param name="factory">Creates the format's serializers for the value types it handles.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered (use <see cref="Replace"/>).</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its registry.</exception>
    public SerializerRegistryBuilder Register(string name, ISerializerFactory factory)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfBuilt();
        if (!_factories.TryAdd(name, factory))
        {
            throw new ArgumentException($"A serialization format named '{name}' is already registered; use Replace to swap its factory.", nameof(name));
        }

        return this;
    }

    /// <summary>Replaces the factory of a registered format, for example <c>json</c> with one over a source-generated context.</summary>
    /// <param name="name">The registered format name, any case.</param>
    /// <param name="factory">The new factory.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">No format of that name is registered.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its registry.</exception>
    public SerializerRegistryBuilder Replace(string name, ISerializerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfBuilt();
        if (!_factories.ContainsKey(name))
        {
            throw new ArgumentException($"No serialization format named '{name}' is registered; use Register to add it.", nameof(name));
        }

        _factories[name] = factory;
        return this;
    }

    /// <summary>Builds the immutable registry. A builder builds once.</summary>
    /// <returns>The registry.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built its registry.</exception>
    public SerializerRegistry Build()
    {
        ThrowIfBuilt();
        _built = true;
        return new SerializerRegistry(_factories);
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                throw new ArgumentException($"The format name '{name}' is invalid: use ASCII letters, digits, '-', '_' or '.'.", nameof(name));
            }
        }
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            ThrowHelper.ThrowInvalidOperation("Cannot change a serializer registry builder after it has built its registry.");
        }
    }
}
