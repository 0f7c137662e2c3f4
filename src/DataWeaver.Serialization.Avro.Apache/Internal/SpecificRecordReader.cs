using System.Reflection;
using System.Reflection.Emit;
using Avro.Specific;
using DataWeaver.Serialization.Avro.Binary;

namespace DataWeaver.Serialization.Avro.Apache.Internal;

/// <summary>Reads the fields of a generated class into a new instance (the reader's depth is the caller's).</summary>
/// <param name="reader">The reader.</param>
/// <returns>The record.</returns>
internal delegate object SpecificRead(ref AvroReader reader);

/// <summary>
/// Compiles the body of a generated class's record read once per record node: a dynamic method that creates the
/// instance, then in field order reads each field with a <see cref="SpecificField"/> by a direct <see cref="AvroReader"/>
/// call into its property setter (no delegate, no virtual call, no boxing), and every other field with its
/// <see cref="ApacheNode"/> into <see cref="ISpecificRecord.Put"/>. The reads are the same, in the same order, as
/// field-by-field reading, so values, errors and offsets are too.
/// </summary>
internal static class SpecificRecordReader
{
    private static readonly MethodInfo NodeRead = typeof(ApacheNode).GetMethod(nameof(ApacheNode.Read))!;
    private static readonly MethodInfo Put = typeof(ISpecificRecord).GetMethod(nameof(ISpecificRecord.Put))!;

    /// <summary>Emits the body.</summary>
    /// <param name="type">The generated class (with a public parameterless constructor).</param>
    /// <param name="fields">The node of each field.</param>
    /// <param name="typed">The typed field of each field, or <see langword="null"/> where the field goes through its node.</param>
    /// <returns>The reader.</returns>
    public static SpecificRead Emit(Type type, ApacheNode[] fields, SpecificField?[] typed)
    {
        var method = new DynamicMethod("ReadApacheAvro_" + type.Name, typeof(object), [typeof(ApacheNode[]), typeof(AvroReader).MakeByRefType()], typeof(SpecificRecordReader).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var record = il.DeclareLocal(type);
        il.Emit(OpCodes.Newobj, type.GetConstructor(Type.EmptyTypes) ?? throw new InvalidOperationException($"{type} has no parameterless constructor"));
        il.Emit(OpCodes.Stloc, record);
        for (var i = 0; i < fields.Length; i++)
        {
            il.Emit(OpCodes.Ldloc, record);
            if (typed[i] is { } field)
            {
                field.EmitRead(il);
                il.Emit(OpCodes.Callvirt, field.Property.SetMethod!);
                continue;
            }

            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Callvirt, NodeRead);
            il.Emit(OpCodes.Callvirt, Put);
        }

        il.Emit(OpCodes.Ldloc, record);
        il.Emit(OpCodes.Ret);
        return (SpecificRead)method.CreateDelegate(typeof(SpecificRead), fields);
    }
}
