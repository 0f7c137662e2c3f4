using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Converters from generic values to C# types, built once per (type, schema) pair from compiled
/// constructors and setters; no reflection runs per record.
/// </summary>
internal static class TypedConverters
{
    /// <summary>
    /// Keyed weakly on the schema instance: a container file's schema is parsed per file, and converters
    /// (compiled expression trees) built for it must die with it rather than pile up for the process's life.
    /// </summary>
    private static readonly ConditionalWeakTable<AvroSchema, ConcurrentDictionary<Type, Func<object?, object?>>> Cache = [];

    [ThreadStatic]
    private static Dictionary<(Type, AvroSchema), Box>? building;

    public static Func<object?, object?> Get(Type type, AvroSchema schema)
    {
        var perSchema = Cache.GetValue(schema, static _ => new ConcurrentDictionary<Type, Func<object?, object?>>());
        if (perSchema.TryGetValue(type, out var cached))
        {
            return cached;
        }

        var outer = building is null;
        building ??= [];
        try
        {
            if (building.TryGetValue((type, schema), out var box))
            {
                return v => box.Convert!(v);
            }

            box = new Box();
            building[(type, schema)] = box;
            box.Convert = Build(type, schema);
            return perSchema.GetOrAdd(type, box.Convert);
        }
        finally
        {
            if (outer)
            {
                building = null;
            }
        }
    }

    private static Func<object?, object?> Build(Type type, AvroSchema schema)
    {
        if (type == typeof(object))
        {
            return static v => v;
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            var inner = Get(underlying, schema);
            return v => v is null ? null : inner(v);
        }

        switch (schema)
        {
            case UnionSchema union:
                return BuildUnion(type, union);
            case RecordSchema record when type != typeof(GenericRecord):
                return BuildRecord(type, record);
            case EnumSchema when type.IsEnum:
                var map = Enum.GetValues(type).Cast<object>().GroupBy(e => e.ToString()!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
                return v => v is GenericEnum e && map.TryGetValue(e.Symbol, out var value) ? value : Fail(v, type);
            case EnumSchema when type == typeof(string):
                return static v => (v as GenericEnum)?.Symbol;
            case ArraySchema array when ElementType(type, typeof(IEnumerable<>)) is { } element && type != typeof(string):
                var itemConverter = Get(element, array.Items);
                var toList = (Func<object?, Func<object?, object?>, bool, object?>)Delegate.CreateDelegate(
                    typeof(Func<object?, Func<object?, object?>, bool, object?>),
                    typeof(TypedConverters).GetMethod(nameof(ToList), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(element));
                var asArray = type.IsArray;
                return v => toList(v, itemConverter, asArray);
            case MapSchema mapSchema when DictionaryValueType(type) is { } valueType:
                var valueConverter = Get(valueType, mapSchema.Values);
                var toDict = (Func<object?, Func<object?, object?>, object?>)Delegate.CreateDelegate(
                    typeof(Func<object?, Func<object?, object?>, object?>),
                    typeof(TypedConverters).GetMethod(nameof(ToDictionary), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(valueType));
                return v => toDict(v, valueConverter);
            case FixedSchema when type == typeof(byte[]):
                return static v => v is GenericFixed f ? f.Value : v;
            default:
                return Scalar(type);
        }
    }

    private static Func<object?, object?> Scalar(Type type)
    {
        if (type == typeof(decimal))
        {
            return v => v switch { decimal d => d, AvroDecimal a => ToDecimal(a), _ => Fail(v, type) };
        }

        if (type == typeof(DateTimeOffset))
        {
            return v => v switch { DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Local ? d : DateTime.SpecifyKind(d, DateTimeKind.Utc)), DateTimeOffset o => o, _ => Fail(v, type) };
        }

        if (type == typeof(TimeSpan))
        {
            return v => v switch { TimeOnly t => t.ToTimeSpan(), TimeSpan s => s, _ => Fail(v, type) };
        }

        if (type == typeof(Guid))
        {
            return v => v switch { Guid g => g, string s when Guid.TryParse(s, out var g) => g, _ => Fail(v, type) };
        }

        if (type == typeof(string))
        {
            return v => v switch { null => null, string s => s, Guid g => g.ToString(), GenericEnum e => e.Symbol, _ => Fail(v, type) };
        }

        if (type == typeof(byte[]))
        {
            return v => v switch { null => null, byte[] b => b, GenericFixed f => f.Value, _ => Fail(v, type) };
        }

        if (type.IsPrimitive)
        {
            return v => v is null ? Fail(v, type) : v.GetType() == type ? v : v is IConvertible ? System.Convert.ChangeType(v, type, CultureInfo.InvariantCulture) : Fail(v, type);
        }

        return v => v is null || type.IsInstanceOfType(v) ? v : Fail(v, type);
    }

    private static Func<object?, object?> BuildUnion(Type type, UnionSchema union)
    {
        var branches = union.Branches.Where(b => b.Type != AvroType.Null).ToArray();
        if (branches.Length == 1)
        {
            var single = Get(type, branches[0]);
            return v => v is null ? null : single(v);
        }

        var converters = branches.Select(b => (Schema: b, Convert: new Lazy<Func<object?, object?>>(() => Get(type, b)))).ToArray();
        return v =>
        {
            if (v is null)
            {
                return null;
            }

            foreach (var (s, convert) in converters)
            {
                if (IsValueOf(s, v))
                {
                    return convert.Value(v);
                }
            }

            return type.IsInstanceOfType(v) ? v : Fail(v, type);
        };
    }

    private static bool IsValueOf(AvroSchema s, object v) => v switch
    {
        GenericRecord r => s is RecordSchema rs && rs.FullName == r.Schema.FullName,
        GenericEnum e => s is EnumSchema es && es.FullName == e.Schema.FullName,
        GenericFixed f => s is FixedSchema fs && fs.FullName == f.Schema.FullName,
        List<object?> => s.Type == AvroType.Array,
        Dictionary<string, object?> => s.Type == AvroType.Map,
        _ => s.Type is not (AvroType.Record or AvroType.Enum or AvroType.Fixed or AvroType.Array or AvroType.Map),
    };

    private static Func<object?, object?> BuildRecord(Type type, RecordSchema schema)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var fieldsByName = schema.Fields.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        var ctor = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault(c => c.GetParameters().All(p => (p.Name is not null && fieldsByName.ContainsKey(p.Name)) || p.HasDefaultValue))
            ?? throw new AvroSchemaException("$", $"type {type.FullName} has no public constructor whose parameters all match fields of record '{schema.FullName}'");

        // Constructor: new T((P0)Convert0(values[i0]), ...) compiled once.
        var parameters = ctor.GetParameters();
        var args = Expression.Parameter(typeof(object?[]), "args");
        var newExpr = Expression.New(ctor, parameters.Select((p, i) => (Expression)Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType)));
        var create = Expression.Lambda<Func<object?[], object>>(Expression.Convert(newExpr, typeof(object)), args).Compile();
        var ctorSources = parameters.Select(p => p.Name is not null && fieldsByName.TryGetValue(p.Name, out var f)
            ? (Position: f.Position, Convert: Get(p.ParameterType, f.Schema), Default: (object?)null)
            : (Position: -1, Convert: (Func<object?, object?>)(static v => v), Default: p.DefaultValue)).ToArray();

        var bound = new HashSet<string>(parameters.Select(p => p.Name!), StringComparer.OrdinalIgnoreCase);
        var setters = new List<(int Position, Func<object?, object?> Convert, Action<object, object?> Set)>();
        foreach (var field in schema.Fields)
        {
            var property = TypedAccessors.Find(properties, field);
            if (property is null || !property.CanWrite || bound.Contains(property.Name))
            {
                continue;
            }

            var instance = Expression.Parameter(typeof(object), "instance");
            var value = Expression.Parameter(typeof(object), "value");
            var assign = Expression.Assign(Expression.Property(Expression.Convert(instance, type), property), Expression.Convert(value, property.PropertyType));
            setters.Add((field.Position, Get(property.PropertyType, field.Schema), Expression.Lambda<Action<object, object?>>(assign, instance, value).Compile()));
        }

        var settersArray = setters.ToArray();
        return v =>
        {
            if (v is not GenericRecord record)
            {
                return v is null ? null : Fail(v, type);
            }

            var values = new object?[ctorSources.Length];
            for (var i = 0; i < ctorSources.Length; i++)
            {
                var (position, convert, defaultValue) = ctorSources[i];
                values[i] = position >= 0 ? NotNullFor(parameters[i].ParameterType, convert(record[position]), record.Schema.Fields[position].Name) : defaultValue;
            }

            var result = create(values);
            foreach (var (position, convert, set) in settersArray)
            {
                set(result, convert(record[position]));
            }

            return result;
        };
    }

    private static object? NotNullFor(Type type, object? value, string field) =>
        value is null && type.IsValueType && Nullable.GetUnderlyingType(type) is null
            ? throw new InvalidCastException($"field '{field}' is null but the parameter type {type.Name} is not nullable")
            : value;

    private static object? ToList<T>(object? value, Func<object?, object?> convert, bool asArray)
    {
        if (value is not List<object?> source)
        {
            return value is null ? null : Fail(value, typeof(List<T>));
        }

        var list = new List<T>(source.Count);
        foreach (var item in source)
        {
            list.Add((T)convert(item)!);
        }

        return asArray ? list.ToArray() : list;
    }

    private static object? ToDictionary<T>(object? value, Func<object?, object?> convert)
    {
        if (value is not Dictionary<string, object?> source)
        {
            return value is null ? null : Fail(value, typeof(Dictionary<string, T>));
        }

        var dict = new Dictionary<string, T>(source.Count, StringComparer.Ordinal);
        foreach (var (k, v) in source)
        {
            dict[k] = (T)convert(v)!;
        }

        return dict;
    }

    private static Type? ElementType(Type type, Type openInterface)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var def && (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(ICollection<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyList<>) || def == typeof(IReadOnlyCollection<>)))
        {
            return type.GetGenericArguments()[0];
        }

        return null;
    }

    private static Type? DictionaryValueType(Type type)
    {
        if (type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string))
        {
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>))
            {
                return value;
            }
        }

        return null;
    }

    private static decimal ToDecimal(AvroDecimal a) =>
        decimal.TryParse(a.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : throw new InvalidCastException($"decimal {a} does not fit System.Decimal");

    private static object Fail(object? value, Type type) =>
        throw new InvalidCastException($"a value of type {value?.GetType().Name ?? "null"} cannot be converted to {type.Name}");

    private sealed class Box
    {
        public Func<object?, object?>? Convert { get; set; }
    }
}
