namespace DataWeaver.Serialization.Internal;

internal sealed class SingleTypeSerializerFactory<TValue>(IRecordSerializer<TValue>? serializer, IRecordDeserializer<TValue>? deserializer) : ISerializerFactory
{
    public string SupportedTypes => TypeNames.Of(typeof(TValue)) + (serializer is null ? " (read only)" : deserializer is null ? " (write only)" : string.Empty);

    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request) => serializer as IRecordSerializer<T>;

    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request) => deserializer as IRecordDeserializer<T>;
}
