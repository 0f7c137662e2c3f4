using DataWeaver.Serialization.Avro.Registry;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization;

/// <summary>Adds the <c>avro</c> format to a <see cref="SerializerRegistryBuilder"/>.</summary>
public static class AvroSerializerRegistryBuilderExtensions
{
    /// <summary>Registers <see cref="AvroSerializerFactory"/> under the name <c>avro</c>; see it for the settings.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="schemaLookup">How deserializers find a writer schema other than the configured one by fingerprint (single-object) or id (Confluent); <see langword="null"/> accepts only the configured schema.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A format named <c>avro</c> is already registered.</exception>
    public static SerializerRegistryBuilder AddAvro(this SerializerRegistryBuilder builder, Func<long, AvroSchema?>? schemaLookup = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Register(AvroSerializerFactory.FormatName, new AvroSerializerFactory(schemaLookup));
    }
}
