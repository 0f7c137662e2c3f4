using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Compiled property getters that read a C# object's fields for a record schema, built once per
/// (type, schema) pair. A field with no matching property (case-insensitive) gets its default.
/// </summary>
internal static class TypedAccessors
{
    /// <summary>Keyed weakly on the schema instance, so that accessors die with the schemas they were built for.</summary>
    private static readonly ConditionalWeakTable<RecordSchema, ConcurrentDictionary<Type, Func<object, object?>?[]>> Cache = [];

    public static Func<object, object?>?[] Get(Type type, RecordSchema schema) =>
        Cache.GetValue(schema, static _ => new ConcurrentDictionary<Type, Func<object, object?>?[]>())
            .GetOrAdd(type, static (t, s) => Build(t, s), schema);

    private static Func<object, object?>?[] Build(Type type, RecordSchema schema)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        var getters = new Func<object, object?>?[schema.Fields.Count];
        foreach (var field in schema.Fields)
        {
            var property = Find(properties, field);
            if (property is null)
            {
                if (!field.HasDefault)
                {
                    throw new AvroSchemaException($"$.fields[{field.Position}]", $"type {type.FullName} has no public property for field '{field.Name}' of record '{schema.FullName}', and the field has no default");
                }

                continue;
            }

            var instance = Expression.Parameter(typeof(object), "instance");
            var body = Expression.Convert(Expression.Property(Expression.Convert(instance, type), property), typeof(object));
            getters[field.Position] = Expression.Lambda<Func<object, object?>>(body, instance).Compile();
        }

        return getters;
    }

    internal static PropertyInfo? Find(PropertyInfo[] properties, AvroField field)
    {
        foreach (var name in field.Aliases.Prepend(field.Name))
        {
            var match = properties.FirstOrDefault(p => p.Name == name) ?? properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }
}
