using DataWeaver.Serialization.Avro.Generic;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>Helpers over generic values.</summary>
internal static class GenericValues
{
    /// <summary>Copies mutable generic values (lists, maps, records, byte arrays, fixed) deeply; immutable values are returned as they are.</summary>
    public static object? DeepCopy(object? value)
    {
        switch (value)
        {
            case byte[] b:
                return b.Clone();
            case GenericFixed f:
                return new GenericFixed(f.Schema, (byte[])f.Value.Clone());
            case GenericRecord r:
                var copy = new GenericRecord(r.Schema);
                for (var i = 0; i < r.Schema.Fields.Count; i++)
                {
                    copy[i] = DeepCopy(r[i]);
                }

                return copy;
            case List<object?> list:
                return list.ConvertAll(DeepCopy);
            case Dictionary<string, object?> map:
                return map.ToDictionary(kv => kv.Key, kv => DeepCopy(kv.Value), StringComparer.Ordinal);
            default:
                return value;
        }
    }
}
