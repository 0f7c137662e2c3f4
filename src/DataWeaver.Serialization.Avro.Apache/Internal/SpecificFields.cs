using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Apache.Internal;

/// <summary>
/// A field of a generated class of a primitive value type (boolean, int, long, float, double, string, ["null", "string"]
/// or an enum whose members are the symbols in order), written through a compiled property getter and read by the
/// record's emitted reader (<see cref="SpecificRecordReader"/>) straight into the property, instead of through
/// <c>ISpecificRecord.Get/Put</c>, which box every value: encoding such fields allocates nothing, decoding only the record.
/// </summary>
internal abstract class SpecificField
{
    /// <summary>Gets the JSON path of the field, for errors.</summary>
    public string Path { get; private set; } = "$";

    /// <summary>Gets the property the field is read into.</summary>
    public PropertyInfo Property { get; private set; } = null!;

    public abstract void Write(ref AvroWriter writer, object record);

    /// <summary>Emits the read of the value onto the stack, the <see cref="AvroReader"/> being argument 1 (by reference).</summary>
    public abstract void EmitRead(ILGenerator il);

    /// <summary>Reads a <c>["null", "string"]</c> value.</summary>
    public static string? ReadNullableString(ref AvroReader reader) => reader.ReadUnionIndex(2) == 0 ? null : reader.ReadString();

    /// <summary>Emits <c>reader.<paramref name="name"/>()</c>.</summary>
    protected static void EmitReaderCall(ILGenerator il, string name)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, typeof(AvroReader).GetMethod(name, Type.EmptyTypes)!);
    }

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
        var access = Expression.Property(instance, property);
        var getter = Expression.Lambda(typeof(Func<,>).MakeGenericType(recordType, valueType!), Expression.Convert(access, valueType!), instance).Compile();
        object[] arguments = field.Schema is EnumSchema e ? [getter, e.Symbols.Count] : [getter];
        var created = (SpecificField)Activator.CreateInstance(fieldType.MakeGenericType(recordType), arguments)!;
        created.Path = path;
        created.Property = property;
        return created;
    }

    private static bool InOrder(Type enumType, EnumSchema schema) =>
        schema.Symbols.Select((s, i) => Enum.TryParse(enumType, s, out var v) && Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) == i).All(ok => ok)
        && Enum.GetValues(enumType).Length == schema.Symbols.Count;
}

internal sealed class BooleanField<TRecord>(Func<TRecord, bool> get) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteBoolean(get((TRecord)record));

    public override void EmitRead(ILGenerator il) => EmitReaderCall(il, nameof(AvroReader.ReadBoolean));
}

internal sealed class IntField<TRecord>(Func<TRecord, int> get) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteInt(get((TRecord)record));

    public override void EmitRead(ILGenerator il) => EmitReaderCall(il, nameof(AvroReader.ReadInt));
}

internal sealed class LongField<TRecord>(Func<TRecord, long> get) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteLong(get((TRecord)record));

    public override void EmitRead(ILGenerator il) => EmitReaderCall(il, nameof(AvroReader.ReadLong));
}

internal sealed class FloatField<TRecord>(Func<TRecord, float> get) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteFloat(get((TRecord)record));

    public override void EmitRead(ILGenerator il) => EmitReaderCall(il, nameof(AvroReader.ReadFloat));
}

internal sealed class DoubleField<TRecord>(Func<TRecord, double> get) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) => writer.WriteDouble(get((TRecord)record));

    public override void EmitRead(ILGenerator il) => EmitReaderCall(il, nameof(AvroReader.ReadDouble));
}

/// <summary>An enum whose members are the schema's symbols in order: the member's value is the symbol index.</summary>
internal sealed class EnumField<TRecord>(Func<TRecord, int> get, int symbols) : SpecificField
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

    public override void EmitRead(ILGenerator il)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, symbols);
        il.Emit(OpCodes.Call, typeof(AvroReader).GetMethod(nameof(AvroReader.ReadEnum), [typeof(int)])!);
    }
}

internal sealed class StringField<TRecord>(Func<TRecord, string> get) : SpecificField
{
    public override void Write(ref AvroWriter writer, object record) =>
        writer.WriteString(get((TRecord)record) ?? throw new AvroEncodingException(Path, "null does not match string"));

    public override void EmitRead(ILGenerator il) => EmitReaderCall(il, nameof(AvroReader.ReadString));
}

/// <summary>A <c>["null", "string"]</c> field.</summary>
internal sealed class NullableStringField<TRecord>(Func<TRecord, string?> get) : SpecificField
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

    public override void EmitRead(ILGenerator il)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, typeof(SpecificField).GetMethod(nameof(ReadNullableString))!);
    }
}
