using System.Linq.Expressions;
using System.Reflection;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Apache.Internal;

/// <summary>
/// A field of a generated class of a primitive value type (boolean, int, long, float, double or an enum whose members are
/// the symbols in order), read and written through compiled property accessors instead of <c>ISpecificRecord.Get/Put</c>,
/// which box every value: encoding such fields allocates nothing, decoding only the record.
/// </summary>
internal abstract class SpecificField
{
    /// <summary>Gets the JSON path of the field, for errors.</summary>
    public string Path { get; private set; } = "$";

    public abstract void Write(ref AvroWriter writer, object record);

    public abstract void Read(ref AvroReader reader, object record);

    /// <summary>The typed accessor of <paramref name="field"/> on <paramref name="recordType"/>, or <see langword="null"/> when the field is not one of these types.</summary>
    public static SpecificField? TryCreate(Type recordType, AvroField field, string path)
    {
        var property = recordType.GetProperty(field.Name, BindingFlags.Public | BindingFlags.Instance);
        if (property is null || !property.CanRead || !property.CanWrite || field.Schema.LogicalType != AvroLogicalType.None || field.Schema.Type == AvroType.Null)
        {
            return null;
        }

        var (fieldType, valueType) = (field.Schema.Type, property.PropertyType) switch
        {
            (AvroType.String, var t) when t == typeof(string) => (typeof(StringField<>), typeof(string)),
            (AvroType.Union, var t) when t == typeof(string) && field.Schema is UnionSchema { Branches: [{ Type: AvroType.Null }, { Type: AvroType.String, LogicalType: AvroLogicalType.None }] } => (typeof(NullableStringField<>), typeof(string)),
            (AvroType.Boolean, var t) when t == typeof(bool) => (typeof(BooleanField<>), typeof(bool)),
            (AvroType.Int, var t) when t == typeof(int) => (typeof(IntField<>), typeof(int)),
            (AvroType.Long, var t) when t == typeof(long) => (typeof(LongField<>), typeof(long)),
            (AvroType.Float, var t) when t == typeof(float) => (typeof(FloatField<>), typeof(float)),
            (AvroType.Double, var t) when t == typeof(double) => (typeof(DoubleField<>), typeof(double)),
            (AvroType.Enum, var t) when t.IsEnum && Enum.GetUnderlyingType(t) == typeof(int) && InOrder(t, (EnumSchema)field.Schema) => (typeof(EnumField<>), typeof(int)),
            _ => (null, null),
        };
        if (fieldType is null)
        {
            return null;
        }

        var instance = Expression.Parameter(recordType, "record");
        var value = Expression.Parameter(valueType!, "value");
        var access = Expression.Property(instance, property);
        var getter = Expression.Lambda(typeof(Func<,>).MakeGenericType(recordType, valueType!), Expression.Convert(access, valueType!), instance).Compile();
        var setter = Expression.Lambda(typeof(Action<,>).MakeGenericType(recordType, valueType!), Expression.Assign(access, Expression.Convert(value, property.PropertyType)), instance, value).Compile();
        object[] arguments = field.Schema is EnumSchema e ? [getter, setter, e.Symbols.Count] : [getter, setter];
        var created = (SpecificField)Activator.CreateInstance(fieldType.MakeGenericType(recordType), arguments)!;
        created.Path = path;
        return created;
    }

    private static bool InOrder(Type enumType, EnumSchema schema) =>
        schema.Symbols.Select((s, i) => Enum.TryParse(enumType, s, out var v) && Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) == i).All(ok => ok)
        && Enum.GetValues(enumType).Length == schema.Symbols.Count;
}

internal sealed class BooleanField<TRecord>(Func<TRecord, bool> get, Action<TRecord, bool> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteBoolean(get((TRecord)record));

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadBoolean());
}

internal sealed class IntField<TRecord>(Func<TRecord, int> get, Action<TRecord, int> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteInt(get((TRecord)record));

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadInt());
}

internal sealed class LongField<TRecord>(Func<TRecord, long> get, Action<TRecord, long> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteLong(get((TRecord)record));

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadLong());
}

internal sealed class FloatField<TRecord>(Func<TRecord, float> get, Action<TRecord, float> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteFloat(get((TRecord)record));

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadFloat());
}

internal sealed class DoubleField<TRecord>(Func<TRecord, double> get, Action<TRecord, double> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteDouble(get((TRecord)record));

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadDouble());
}

/// <summary>An enum whose members are the schema's symbols in order: the member's value is the symbol index.</summary>
internal sealed class EnumField<TRecord>(Func<TRecord, int> get, Action<TRecord, int> set, int symbols) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record)
    {
        var index = get((TRecord)record);
        if ((uint)index >= (uint)symbols)
        {
            throw new AvroEncodingException(Path, $"enum value {index} is not a symbol index (0 to {symbols - 1})");
        }

        writer.WriteEnum(index);
    }

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadEnum(symbols));
}

internal sealed class StringField<TRecord>(Func<TRecord, string> get, Action<TRecord, string> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) =>
        writer.WriteString(get((TRecord)record) ?? throw new AvroEncodingException(Path, "null does not match string"));

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadString());
}

/// <summary>A <c>["null", "string"]</c> field.</summary>
internal sealed class NullableStringField<TRecord>(Func<TRecord, string?> get, Action<TRecord, string?> set) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record)
    {
        var value = get((TRecord)record);
        if (value is null)
        {
            writer.WriteUnionIndex(0);
        }
        else
        {
            writer.WriteUnionIndex(1);
            writer.WriteString(value);
        }
    }

    public override void Read(ref AvroReader reader, object record) => set((TRecord)record, reader.ReadUnionIndex(2) == 0 ? null : reader.ReadString());
}
