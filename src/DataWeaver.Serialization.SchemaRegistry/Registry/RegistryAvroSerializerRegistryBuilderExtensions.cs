using Confluent.SchemaRegistry;
using DataWeaver.Serialization.SchemaRegistry.Registry;

namespace DataWeaver.Serialization;

/// <summary>Adds the <c>avro-registry</c> format to a <see cref="SerializerRegistryBuilder"/>.</summary>
public static class RegistryAvroSerializerRegistryBuilderExtensions
{
    /// <summary>Registers <see cref="RegistryAvroSerializerFactory"/> under the name <c>avro-registry</c>; see it for the settings.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="client">The registry client every serializer of the format uses (e.g. from <c>SchemaRegistryClients.Create</c>); the caller disposes it.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A format named <c>avro-registry</c> is already registered.</exception>
    public static SerializerRegistryBuilder AddSchemaRegistryAvro(this SerializerRegistryBuilder builder, ISchemaRegistryClient client)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Register(RegistryAvroSerializerFactory.FormatName, new RegistryAvroSerializerFactory(client));
    }
}
