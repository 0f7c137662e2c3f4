using System.Linq.Expressions;
using System.Reflection;
using DataWeaver.Serialization.Avro.Schema;
using ApacheSchema = Avro.Schema;

namespace DataWeaver.Serialization.Avro.Apache.Internal;

/// <summary>
/// Compiles a schema into <see cref="ApacheNode"/>s once: in specific mode records, enums and fixeds become the
/// generated C# types (found by full name, first in the assembly of the root type, then in every loaded assembly,
/// as Apache.Avro's own specific reader does); in generic mode they become Apache's generic objects.
/// </summary>
internal sealed class ApachePlan
{
    private readonly Dictionary<string, ApacheSchema> _apacheNamed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApacheNode> _named = new(StringComparer.Ordinal);
    private readonly Assembly? _specificAssembly;

    private ApachePlan(AvroSchema schema, Assembly? specificAssembly)
    {
        _specificAssembly = specificAssembly;
        ApacheSchema = Schemas.ApacheSchemas.ToApache(schema);
        Collect(ApacheSchema);
        Root = Build(schema, "$");
    }

    /// <summary>Gets the root node.</summary>
    public ApacheNode Root { get; }

    /// <summary>Gets the Apache.Avro form of the schema.</summary>
    public ApacheSchema ApacheSchema { get; }

    /// <summary>Compiles the plan.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="specificAssembly">The assembly of the generated classes; <see langword="null"/> for generic values.</param>
    /// <exception cref="AvroSchemaException">A named type has no generated C# type.</exception>
    public static ApachePlan Create(AvroSchema schema, Assembly? specificAssembly) => new(schema, specificAssembly);

    /// <summary>The C# type Apache.Avro's code generator gives a schema (specific mode).</summary>
    private Type ClrType(AvroSchema schema)
    {
        switch (schema.LogicalType)
        {
            case AvroLogicalType.Decimal:
                return typeof(global::Avro.AvroDecimal);
            case AvroLogicalType.Uuid:
                return typeof(Guid);
            case AvroLogicalType.TimeMillis or AvroLogicalType.TimeMicros:
                return typeof(TimeSpan);
            case AvroLogicalType.Date or AvroLogicalType.TimestampMillis or AvroLogicalType.TimestampMicros or AvroLogicalType.LocalTimestampMillis or AvroLogicalType.LocalTimestampMicros:
                return typeof(DateTime);
            default:
                break;
        }

        return schema switch
        {
            NamedSchema named => FindType(named),
            ArraySchema array => typeof(IList<>).MakeGenericType(ClrType(array.Items)),
            MapSchema map => typeof(IDictionary<,>).MakeGenericType(typeof(string), ClrType(map.Values)),
            UnionSchema union when union.Branches.Count == 2 && union.Branches.Any(b => b.Type == AvroType.Null) =>
                Nullable(ClrType(union.Branches.First(b => b.Type != AvroType.Null))),
            UnionSchema => typeof(object),
            _ => schema.Type switch
            {
                AvroType.Boolean => typeof(bool),
                AvroType.Int => typeof(int),
                AvroType.Long => typeof(long),
                AvroType.Float => typeof(float),
                AvroType.Double => typeof(double),
                AvroType.Bytes => typeof(byte[]),
                AvroType.String => typeof(string),
                _ => typeof(object),
            },
        };

        static Type Nullable(Type t) => t.IsValueType ? typeof(Nullable<>).MakeGenericType(t) : t;
    }

    private static Func<object> Factory(Type type) =>
        Expression.Lambda<Func<object>>(Expression.Convert(Expression.New(type), typeof(object))).Compile();

    private Type FindType(NamedSchema named)
    {
        var type = _specificAssembly?.GetType(named.FullName)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(named.FullName)).FirstOrDefault(t => t is not null);
        return type ?? throw new AvroSchemaException("$", $"no generated C# type named {named.FullName} is loaded (generate it with Avro.CodeGen or `dataweaver avro codegen`)");
    }

    private ApacheNode Build(AvroSchema schema, string path)
    {
        switch (schema.LogicalType)
        {
            case AvroLogicalType.Decimal:
                return new DecimalNode(schema, path, schema is FixedSchema f ? f.Size : 0);
            case AvroLogicalType.Uuid:
                return new UuidNode(schema, path);
            case AvroLogicalType.Date:
                return new DateNode(schema, path);
            case AvroLogicalType.TimeMillis:
                return new TimeNode(schema, path, TimeSpan.TicksPerMillisecond);
            case AvroLogicalType.TimeMicros:
                return new TimeNode(schema, path, TimeSpan.TicksPerMicrosecond);
            case AvroLogicalType.TimestampMillis:
                return new TimestampNode(schema, path, TimeSpan.TicksPerMillisecond, local: false);
            case AvroLogicalType.TimestampMicros:
                return new TimestampNode(schema, path, TimeSpan.TicksPerMicrosecond, local: false);
            case AvroLogicalType.LocalTimestampMillis:
                return new TimestampNode(schema, path, TimeSpan.TicksPerMillisecond, local: true);
            case AvroLogicalType.LocalTimestampMicros:
                return new TimestampNode(schema, path, TimeSpan.TicksPerMicrosecond, local: true);
            default:
                break;
        }

        var specific = _specificAssembly is not null;
        switch (schema)
        {
            case RecordSchema record:
                if (_named.TryGetValue(record.FullName, out var existing))
                {
                    return existing;
                }

                var type = specific ? FindType(record) : null;
                if (type is not null && (!typeof(global::Avro.Specific.ISpecificRecord).IsAssignableFrom(type) || type.IsValueType || type.GetConstructor(Type.EmptyTypes) is null))
                {
                    throw new AvroSchemaException(path, $"{type.FullName} is not a generated ISpecificRecord class with a parameterless constructor");
                }

                var node = new RecordNode(record, path, (global::Avro.RecordSchema)_apacheNamed[record.FullName], type);
                _named[record.FullName] = node;
                node.SetFields(
                    [.. record.Fields.Select(f => Build(f.Schema, path + "." + f.Name))],
                    [.. record.Fields.Select(f => type is null ? null : SpecificField.TryCreate(type, f, path + "." + f.Name))]);
                return node;
            case EnumSchema e:
                return _named.TryGetValue(e.FullName, out var en)
                    ? en
                    : _named[e.FullName] = new EnumNode(e, path, (global::Avro.EnumSchema)_apacheNamed[e.FullName], specific ? FindType(e) : null);
            case FixedSchema fx:
                return _named.TryGetValue(fx.FullName, out var fn)
                    ? fn
                    : _named[fx.FullName] = new FixedNode(fx, path, (global::Avro.FixedSchema)_apacheNamed[fx.FullName], specific ? Factory(FindType(fx)) : null);
            case ArraySchema array:
                return new ArrayNode(array, path, Build(array.Items, path + "[]"), specific ? Factory(typeof(List<>).MakeGenericType(ClrType(array.Items))) : null);
            case MapSchema map:
                return new MapNode(map, path, Build(map.Values, path + "{}"), specific ? Factory(typeof(Dictionary<,>).MakeGenericType(typeof(string), ClrType(map.Values))) : () => new Dictionary<string, object?>());
            case UnionSchema union:
                return new UnionNode(union, path, [.. union.Branches.Select((b, i) => Build(b, path + "<" + i + ">"))]);
            default:
                return schema.Type switch
                {
                    AvroType.Null => new NullNode(schema, path),
                    AvroType.Boolean => new BooleanNode(schema, path),
                    AvroType.Int => new IntNode(schema, path),
                    AvroType.Long => new LongNode(schema, path),
                    AvroType.Float => new FloatNode(schema, path),
                    AvroType.Double => new DoubleNode(schema, path),
                    AvroType.Bytes => new BytesNode(schema, path),
                    _ => new StringNode(schema, path),
                };
        }
    }

    private void Collect(ApacheSchema schema)
    {
        switch (schema)
        {
            case global::Avro.RecordSchema record:
                if (_apacheNamed.TryAdd(record.Fullname, record))
                {
                    foreach (var field in record.Fields)
                    {
                        Collect(field.Schema);
                    }
                }

                break;
            case global::Avro.NamedSchema named:
                _apacheNamed.TryAdd(named.Fullname, named);
                break;
            case global::Avro.ArraySchema array:
                Collect(array.ItemSchema);
                break;
            case global::Avro.MapSchema map:
                Collect(map.ValueSchema);
                break;
            case global::Avro.UnionSchema union:
                foreach (var branch in union.Schemas)
                {
                    Collect(branch);
                }

                break;
            case global::Avro.LogicalSchema logical:
                Collect(logical.BaseSchema);
                break;
            default:
                break;
        }
    }
}
