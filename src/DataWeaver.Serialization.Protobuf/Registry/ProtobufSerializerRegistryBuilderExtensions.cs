using DataWeaver.Serialization.Protobuf.Registry;

namespace DataWeaver.Serialization;

/// <summary>Adds the <c>protobuf</c> format to a <see cref="SerializerRegistryBuilder"/>.</summary>
public static class ProtobufSerializerRegistryBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="ProtobufSerializerFactory"/> under the name <c>protobuf</c>: serializers and
    /// deserializers of any generated message type, configured by the <c>framing</c>, <c>schemaId</c> and
    /// <c>maxRecordSize</c> settings.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A format named <c>protobuf</c> is already registered.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its registry.</exception>
    public static SerializerRegistryBuilder AddProtobuf(this SerializerRegistryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Register(ProtobufSerializerFactory.FormatName, ProtobufSerializerFactory.Instance);
    }
}
