using System.Reflection;
using Avro.Specific;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Apache.Internal;

/// <summary>What the Apache serializers need to know of their value type.</summary>
internal static class ApacheTypes
{
    /// <summary>The assembly of a generated class (specific mode), <see langword="null"/> for Apache's generic record.</summary>
    public static Assembly? SpecificAssembly<T>()
    {
        if (typeof(T) == typeof(global::Avro.Generic.GenericRecord))
        {
            return null;
        }

        if (typeof(ISpecificRecord).IsAssignableFrom(typeof(T)) && typeof(T).GetConstructor(Type.EmptyTypes) is not null)
        {
            return typeof(T).Assembly;
        }

        throw new SerializerConfigurationException("avro", typeof(T), [], $"Format 'avro' for type '{typeof(T).Name}': the Apache.Avro serializers take a generated ISpecificRecord class with a parameterless constructor or Avro.Generic.GenericRecord.");
    }

    /// <summary>The schema a generated class was generated from.</summary>
    public static AvroSchema SchemaOf<T>()
    {
        SpecificAssembly<T>();
        if (typeof(T) == typeof(global::Avro.Generic.GenericRecord))
        {
            throw new SerializerConfigurationException("avro", typeof(T), [], "Format 'avro' for type 'GenericRecord': Apache's generic record has no schema of its own; pass the schema.");
        }

        var instance = (ISpecificRecord)Activator.CreateInstance<T>()!;
        return Schemas.ApacheSchemas.FromApache(instance.Schema);
    }

    public static AvroSerializerOptions Validate(AvroSerializerOptions? options)
    {
        options ??= new AvroSerializerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRecordSize, 16, nameof(options.MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxRecordSize, 1 << 30, nameof(options.MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDepth, 1, nameof(options.MaxDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxDepth, 1000, nameof(options.MaxDepth));
        return new AvroSerializerOptions
        {
            Framing = options.Framing,
            SchemaId = options.SchemaId,
            MaxRecordSize = options.MaxRecordSize,
            MaxDepth = options.MaxDepth,
            ReaderSchema = options.ReaderSchema,
            SchemaLookup = options.SchemaLookup,
        };
    }
}
