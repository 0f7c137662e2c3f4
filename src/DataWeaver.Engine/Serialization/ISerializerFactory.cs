namespace DataWeaver.Serialization;

/// <summary>
/// Creates serializers and deserializers of one format for the value types that format can handle. Registered
/// by name in a <see cref="SerializerRegistry"/>; connectors ask the registry, the registry asks the factory.
/// Implementations MUST be thread-safe and MUST NOT block.
/// </summary>
public interface ISerializerFactory
{
    /// <summary>Gets a short description of the value types this factory handles, for error messages, e.g. <c>byte[], ReadOnlyMemory&lt;byte&gt;</c>.</summary>
    string SupportedTypes { get; }

    /// <summary>Creates a serializer for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="request">The format name asked for and the connector's format settings.</param>
    /// <returns>The serializer, or <see langword="null"/> when this format cannot write <typeparamref name="T"/>.</returns>
    /// <exception cref="SerializerConfigurationException">The settings are invalid.</exception>
    IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request);

    /// <summary>Creates a deserializer for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="request">The format name asked for and the connector's format settings.</param>
    /// <returns>The deserializer, or <see langword="null"/> when this format cannot read <typeparamref name="T"/>.</returns>
    /// <exception cref="SerializerConfigurationException">The settings are invalid.</exception>
    IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request);
}
