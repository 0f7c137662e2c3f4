using System.Reflection;
using System.Runtime.CompilerServices;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal.Writing;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Writes a <typeparamref name="T"/> in a schema's binary encoding without boxing it. Built once per (schema, type)
/// by <see cref="TypedWriterBuilder"/>; writes the same bytes, and raises the same errors, as <see cref="ValueWriter"/>.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
internal abstract class TypedWriter<T>
{
    public abstract void Write(ref AvroWriter w, T value);
}

internal sealed class BooleanWriter : TypedWriter<bool>
{
    public override void Write(ref AvroWriter w, bool value) => w.WriteBoolean(value);
}

internal sealed class IntWriter : TypedWriter<int>
{
    public override void Write(ref AvroWriter w, int value) => w.WriteInt(value);
}

/// <summary>An int written as an int, a long, a float or a double.</summary>
internal sealed class PromotedIntWriter(AvroType type) : TypedWriter<int>
{
    public override void Write(ref AvroWriter w, int value)
    {
        switch (type)
        {
            case AvroType.Float:
                w.WriteFloat(value);
                break;
            case AvroType.Double:
                w.WriteDouble(value);
                break;
            default:
                w.WriteLong(value);
                break;
        }
    }
}

/// <summary>A long written as a long, a float or a double.</summary>
internal sealed class LongWriter(AvroType type) : TypedWriter<long>
{
    public override void Write(ref AvroWriter w, long value)
    {
        switch (type)
        {
            case AvroType.Float:
                w.WriteFloat(value);
                break;
            case AvroType.Double:
                w.WriteDouble(value);
                break;
            default:
                w.WriteLong(value);
                break;
        }
    }
}

internal sealed class FloatWriter(AvroType type) : TypedWriter<float>
{
    public override void Write(ref AvroWriter w, float value)
    {
        if (type == AvroType.Double)
        {
            w.WriteDouble(value);
        }
        else
        {
            w.WriteFloat(value);
        }
    }
}

internal sealed class DoubleWriter(AvroType type) : TypedWriter<double>
{
    public override void Write(ref AvroWriter w, double value)
    {
        if (type == AvroType.Float)
        {
            w.WriteFloat((float)value);
        }
        else
        {
            w.WriteDouble(value);
        }
    }
}

/// <summary>A string; null goes to the generic writer for its error.</summary>
internal sealed class StringWriter(AvroSchema schema) : TypedWriter<string?>
{
    public override void Write(ref AvroWriter w, string? value)
    {
        if (value is null)
        {
            ValueWriter.Write(ref w, schema, value);
            return;
        }

        w.WriteString(value);
    }
}

internal sealed class BytesWriter(AvroSchema schema) : TypedWriter<byte[]?>
{
    public override void Write(ref AvroWriter w, byte[]? value)
    {
        if (value is null)
        {
            ValueWriter.Write(ref w, schema, value);
            return;
        }

        w.WriteBytes(value);
    }
}

/// <summary>A C# enum written as the index of its name; a value without a symbol goes to the generic writer for its error.</summary>
internal sealed class EnumWriter<T>(EnumSchema schema, Dictionary<T, int> indexes) : TypedWriter<T>
    where T : struct, Enum
{
    public override void Write(ref AvroWriter w, T value)
    {
        if (indexes.TryGetValue(value, out var index))
        {
            w.WriteEnum(index);
            return;
        }

        ValueWriter.Write(ref w, schema, value);
    }
}

/// <summary>A union of null and one other branch.</summary>
internal sealed class NullableUnionWriter<T>(int nullIndex, int valueIndex, TypedWriter<T> inner) : TypedWriter<T?>
    where T : class
{
    public override void Write(ref AvroWriter w, T? value)
    {
        if (value is null)
        {
            w.WriteUnionIndex(nullIndex);
            return;
        }

        w.WriteUnionIndex(valueIndex);
        inner.Write(ref w, value);
    }
}

/// <summary>A union of null and one other branch, from a nullable value type.</summary>
internal sealed class NullableValueUnionWriter<T>(int nullIndex, int valueIndex, TypedWriter<T> inner) : TypedWriter<T?>
    where T : struct
{
    public override void Write(ref AvroWriter w, T? value)
    {
        if (value is not { } v)
        {
            w.WriteUnionIndex(nullIndex);
            return;
        }

        w.WriteUnionIndex(valueIndex);
        inner.Write(ref w, v);
    }
}

/// <summary>A union whose branch is the same for every value of a type that holds no null.</summary>
internal sealed class BranchWriter<T>(int index, TypedWriter<T> inner) : TypedWriter<T>
{
    public override void Write(ref AvroWriter w, T value)
    {
        w.WriteUnionIndex(index);
        inner.Write(ref w, value);
    }
}

/// <summary>A nullable value type written to a schema without null: null goes to the generic writer for its error.</summary>
internal sealed class NullableWriter<T>(AvroSchema schema, TypedWriter<T> inner) : TypedWriter<T?>
    where T : struct
{
    public override void Write(ref AvroWriter w, T? value)
    {
        if (value is not { } v)
        {
            ValueWriter.Write(ref w, schema, null);
            return;
        }

        inner.Write(ref w, v);
    }
}

internal sealed class ListWriter<T>(ArraySchema schema, TypedWriter<T> items) : TypedWriter<List<T>?>
{
    public override void Write(ref AvroWriter w, List<T>? value)
    {
        if (value is null)
        {
            ValueWriter.Write(ref w, schema, value);
            return;
        }

        if (value.Count > 0)
        {
            w.WriteBlockCount(value.Count);
            for (var i = 0; i < value.Count; i++)
            {
                try
                {
                    items.Write(ref w, value[i]);
                }
                catch (AvroEncodingException ex)
                {
                    throw new AvroEncodingException($"$[{i}]" + ex.Path[1..], ex.Reason);
                }
            }
        }

        w.WriteBlockCount(0);
    }
}

internal sealed class ArrayWriter<T>(ArraySchema schema, TypedWriter<T> items) : TypedWriter<T[]?>
{
    public override void Write(ref AvroWriter w, T[]? value)
    {
        if (value is null)
        {
            ValueWriter.Write(ref w, schema, value);
            return;
        }

        if (value.Length > 0)
        {
            w.WriteBlockCount(value.Length);
            for (var i = 0; i < value.Length; i++)
            {
                try
                {
                    items.Write(ref w, value[i]);
                }
                catch (AvroEncodingException ex)
                {
                    throw new AvroEncodingException($"$[{i}]" + ex.Path[1..], ex.Reason);
                }
            }
        }

        w.WriteBlockCount(0);
    }
}

internal sealed class DictionaryWriter<T>(MapSchema schema, TypedWriter<T> values) : TypedWriter<Dictionary<string, T>?>
{
    public override void Write(ref AvroWriter w, Dictionary<string, T>? value)
    {
        if (value is null)
        {
            ValueWriter.Write(ref w, schema, value);
            return;
        }

        if (value.Count > 0)
        {
            w.WriteBlockCount(value.Count);
            foreach (var (key, item) in value)
            {
                w.WriteString(key);
                try
                {
                    values.Write(ref w, item);
                }
                catch (AvroEncodingException ex)
                {
                    throw new AvroEncodingException($"$[\"{key}\"]" + ex.Path[1..], ex.Reason);
                }
            }
        }

        w.WriteBlockCount(0);
    }
}

/// <summary>
/// A C# object written field by field through its property getters (open-instance delegates: no boxing). A null,
/// or an instance of a derived type, goes to the generic writer, which maps by the runtime type.
/// </summary>
internal sealed class RecordWriter<T>(RecordSchema schema) : TypedWriter<T>
    where T : class
{
    public FieldWriter<T>[] Fields { get; set; } = [];

    public override void Write(ref AvroWriter w, T value)
    {
        if (value is null || value.GetType() != typeof(T))
        {
            ValueWriter.Write(ref w, schema, value);
            return;
        }

        var fields = Fields;
        var i = 0;
        try
        {
            for (; i < fields.Length; i++)
            {
                fields[i].Write(ref w, value);
            }
        }
        catch (AvroEncodingException ex)
        {
            throw new AvroEncodingException("$." + schema.Fields[i].Name + ex.Path[1..], ex.Reason);
        }
    }
}

/// <summary>Writes one field of a record from a <typeparamref name="TRecord"/>.</summary>
internal abstract class FieldWriter<TRecord>
{
    public abstract void Write(ref AvroWriter w, TRecord record);
}

internal sealed class PropertyFieldWriter<TRecord, TValue>(Func<TRecord, TValue> get, TypedWriter<TValue> writer) : FieldWriter<TRecord>
{
    public override void Write(ref AvroWriter w, TRecord record) => writer.Write(ref w, get(record));
}

/// <summary>A field the type has no property for: its default.</summary>
internal sealed class DefaultFieldWriter<TRecord>(AvroField field) : FieldWriter<TRecord>
{
    public override void Write(ref AvroWriter w, TRecord record) => ValueWriter.Write(ref w, field.Schema, field.GetDefaultValue());
}

/// <summary>Any pair the typed writers do not cover: the generic writer (boxing value types).</summary>
internal sealed class FallbackWriter<T>(AvroSchema schema) : TypedWriter<T>
{
    public override void Write(ref AvroWriter w, T value) => ValueWriter.Write(ref w, schema, value);
}

/// <summary>Builds typed writers, caching them per (schema, type). Never throws: what it cannot type goes to the generic writer.</summary>
internal sealed class TypedWriterBuilder
{
    private readonly Dictionary<(AvroSchema, Type), object> _records = [];

    public static TypedWriter<T> Get<T>(AvroSchema schema) =>
        Cache<T>.Writers.GetValue(schema, static s => (TypedWriter<T>)new TypedWriterBuilder().Build(s, typeof(T)));

    private object Build(AvroSchema schema, Type type)
    {
        try
        {
            return TryBuild(schema, type) ?? Fallback(schema, type);
        }
        catch (AvroSchemaException)
        {
            return Fallback(schema, type);
        }
    }

    private object? TryBuild(AvroSchema schema, Type type)
    {
        if (schema is UnionSchema union)
        {
            return UnionWriter(union, type);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TryBuild(schema, underlying) is { } inner ? Create(typeof(NullableWriter<>), [underlying], schema, inner) : null;
        }

        var plain = schema.LogicalType == AvroLogicalType.None;
        return (schema.Type, type) switch
        {
            (AvroType.Boolean, _) when type == typeof(bool) => new BooleanWriter(),
            (AvroType.Int, _) when type == typeof(int) => new IntWriter(),
            (AvroType.Long or AvroType.Float or AvroType.Double, _) when type == typeof(int) => new PromotedIntWriter(schema.Type),
            (AvroType.Long or AvroType.Float or AvroType.Double, _) when type == typeof(long) => new LongWriter(schema.Type),
            (AvroType.Float or AvroType.Double, _) when type == typeof(float) => new FloatWriter(schema.Type),
            (AvroType.Float or AvroType.Double, _) when type == typeof(double) => new DoubleWriter(schema.Type),
            (AvroType.String, _) when type == typeof(string) => new StringWriter(schema),
            (AvroType.Bytes, _) when type == typeof(byte[]) && plain => new BytesWriter(schema),
            (AvroType.Enum, _) when type.IsEnum => EnumWriter((EnumSchema)schema, type),
            (AvroType.Array, _) => ArrayWriter((ArraySchema)schema, type),
            (AvroType.Map, _) when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string) =>
                Create(typeof(DictionaryWriter<>), [type.GetGenericArguments()[1]], schema, Build(((MapSchema)schema).Values, type.GetGenericArguments()[1])),
            (AvroType.Record, _) when type.IsClass && !type.IsAbstract && type != typeof(GenericRecord) && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => RecordWriter((RecordSchema)schema, type),
            _ => null,
        };
    }

    private object? UnionWriter(UnionSchema union, Type type)
    {
        // Only the shapes whose branch the generic writer picks the same way for every value: [null, X] or [X, null],
        // X plain and of the type's own kind.
        if (union.Branches.Count != 2 || union.Branches.Count(b => b.Type == AvroType.Null) != 1)
        {
            return null;
        }

        var nullIndex = union.Branches[0].Type == AvroType.Null ? 0 : 1;
        var valueIndex = 1 - nullIndex;
        var branch = union.Branches[valueIndex];
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (!NaturalBranch(branch, underlying) || TryBuild(branch, underlying) is not { } inner)
        {
            return null;
        }

        if (Nullable.GetUnderlyingType(type) is not null)
        {
            return Create(typeof(NullableValueUnionWriter<>), [underlying], nullIndex, valueIndex, inner);
        }

        return type.IsValueType
            ? Create(typeof(BranchWriter<>), [type], valueIndex, inner)
            : Create(typeof(NullableUnionWriter<>), [type], nullIndex, valueIndex, inner);
    }

    /// <summary>Whether <see cref="UnionBranch"/> picks <paramref name="branch"/> for every non-null value of <paramref name="type"/>.</summary>
    private static bool NaturalBranch(AvroSchema branch, Type type)
    {
        if (branch.LogicalType != AvroLogicalType.None)
        {
            return false;
        }

        return branch.Type switch
        {
            AvroType.Boolean => type == typeof(bool),
            AvroType.Int => type == typeof(int),
            AvroType.Long => type == typeof(int) || type == typeof(long),
            AvroType.Float => type == typeof(int) || type == typeof(long) || type == typeof(float),
            AvroType.Double => type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double),
            AvroType.String => type == typeof(string),
            AvroType.Bytes => type == typeof(byte[]),
            AvroType.Enum => type.IsEnum && ((EnumSchema)branch).Name == type.Name,
            AvroType.Array => (type.IsArray && type != typeof(byte[])) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)),
            AvroType.Map => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>),
            AvroType.Record => type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type),
            _ => false,
        };
    }

    private static object? EnumWriter(EnumSchema schema, Type type)
    {
        var indexes = Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type, typeof(int)))!;
        var add = indexes.GetType().GetMethod("Add")!;
        foreach (var value in Enum.GetValues(type))
        {
            var index = schema.IndexOf(value.ToString()!);
            if (index >= 0 && !(bool)indexes.GetType().GetMethod("ContainsKey")!.Invoke(indexes, [value])!)
            {
                add.Invoke(indexes, [value, index]);
            }
        }

        return Create(typeof(EnumWriter<>), [type], schema, indexes);
    }

    private object? ArrayWriter(ArraySchema schema, Type type)
    {
        if (type.IsArray && type.GetArrayRank() == 1)
        {
            var element = type.GetElementType()!;
            return Create(typeof(ArrayWriter<>), [element], schema, Build(schema.Items, element));
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = type.GetGenericArguments()[0];
            return Create(typeof(ListWriter<>), [element], schema, Build(schema.Items, element));
        }

        return null;
    }

    private object RecordWriter(RecordSchema schema, Type type)
    {
        if (_records.TryGetValue((schema, type), out var existing))
        {
            return existing;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        if (schema.Fields.Any(f => !f.HasDefault && TypedAccessors.Find(properties, f) is null))
        {
            // The generic writer raises the error naming the field.
            throw new AvroSchemaException("$", $"type {type.FullName} lacks a property for a field of '{schema.FullName}'");
        }

        var writer = Create(typeof(RecordWriter<>), [type], schema);
        _records[(schema, type)] = writer;
        var fields = Array.CreateInstance(typeof(FieldWriter<>).MakeGenericType(type), schema.Fields.Count);
        foreach (var field in schema.Fields)
        {
            var property = TypedAccessors.Find(properties, field);
            if (property is null)
            {
                fields.SetValue(Create(typeof(DefaultFieldWriter<>), [type], field), field.Position);
                continue;
            }

            var getter = property.GetMethod!.CreateDelegate(typeof(Func<,>).MakeGenericType(type, property.PropertyType));
            fields.SetValue(Create(typeof(PropertyFieldWriter<,>), [type, property.PropertyType], getter, Build(field.Schema, property.PropertyType)), field.Position);
        }

        writer.GetType().GetProperty(nameof(RecordWriter<object>.Fields))!.SetValue(writer, fields);
        return writer;
    }

    private static object Fallback(AvroSchema schema, Type type) => Create(typeof(FallbackWriter<>), [type], schema);

    private static object Create(Type open, Type[] arguments, params object?[] constructorArguments) =>
        Activator.CreateInstance(open.MakeGenericType(arguments), constructorArguments)!;

    private static class Cache<T>
    {
        /// <summary>Keyed weakly on the schema instance, so that writers die with their schemas.</summary>
        public static readonly ConditionalWeakTable<AvroSchema, TypedWriter<T>> Writers = [];
    }
}
