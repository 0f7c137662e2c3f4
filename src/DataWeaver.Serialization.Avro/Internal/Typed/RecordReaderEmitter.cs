using System.Reflection;
using System.Reflection.Emit;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Internal.Reading;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Compiles the body of a <see cref="RecordReader{T}"/> once per (writer record, reader record, type): a dynamic
/// method that, in the writer's field order, reads each field with its typed reader into a local of the member's
/// type (or skips it), then calls the constructor with the locals and sets the remaining properties. Values never
/// pass through <see cref="object"/>. A primitive read without a conversion (boolean, int, long, float, double, string,
/// bytes) is a direct call of the <see cref="AvroReader"/> method, not a virtual call of its typed reader.
/// </summary>
internal static class RecordReaderEmitter
{
    private static readonly MethodInfo Skip = typeof(ReadNode).GetMethod(nameof(ReadNode.Skip))!;

    /// <summary>Emits the body.</summary>
    /// <param name="type">The record type.</param>
    /// <param name="members">Where the reader's fields go.</param>
    /// <param name="steps">In order: a typed reader (<c>TypedReader&lt;member type&gt;</c>) per member, or a <see cref="ReadNode"/> that skips a writer field.</param>
    /// <returns>A <see cref="TypedRead{T}"/> of <paramref name="type"/>.</returns>
    public static Delegate Emit(Type type, RecordMembers members, List<Step> steps)
    {
        var state = steps.Select(s => s.Reader).ToArray();
        var method = new DynamicMethod("ReadAvro_" + type.Name, type, [typeof(object[]), typeof(AvroReader).MakeByRefType()], typeof(RecordReaderEmitter).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var locals = new Dictionary<RecordMember, LocalBuilder>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Member is not null && Direct(step.Reader) is { } direct)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Call, direct);
                StoreLocal(step.Member);
                continue;
            }

            // state[i] is known to be of the right type: no castclass (what Unsafe.As compiles to).
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(OpCodes.Ldarg_1);
            if (step.Member is null)
            {
                il.Emit(OpCodes.Callvirt, Skip);
                continue;
            }

            var readerType = typeof(TypedReader<>).MakeGenericType(step.Member.Type);
            il.Emit(OpCodes.Callvirt, readerType.GetMethod(nameof(TypedReader<object>.Read))!);
            StoreLocal(step.Member);
        }

        foreach (var parameter in members.Parameters)
        {
            il.Emit(OpCodes.Ldloc, locals[parameter]);
        }

        il.Emit(OpCodes.Newobj, members.Constructor);
        foreach (var (member, local) in locals)
        {
            if (member.Property is { } property)
            {
                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Ldloc, local);
                il.Emit(OpCodes.Callvirt, property.SetMethod!);
            }
        }

        il.Emit(OpCodes.Ret);
        return method.CreateDelegate(typeof(TypedRead<>).MakeGenericType(type), state);

        void StoreLocal(RecordMember member)
        {
            if (!locals.TryGetValue(member, out var local))
            {
                local = il.DeclareLocal(member.Type);
                locals[member] = local;
            }

            il.Emit(OpCodes.Stloc, local);
        }
    }

    /// <summary>The <see cref="AvroReader"/> method a typed reader comes down to when it converts nothing, or <see langword="null"/>.</summary>
    private static MethodInfo? Direct(object reader) => reader switch
    {
        BooleanReader => Reader(nameof(AvroReader.ReadBoolean)),
        IntReader => Reader(nameof(AvroReader.ReadInt)),
        LongReader { FromInt: false } => Reader(nameof(AvroReader.ReadLong)),
        FloatReader { Writer: Schema.AvroType.Float } => Reader(nameof(AvroReader.ReadFloat)),
        DoubleReader { Writer: Schema.AvroType.Double } => Reader(nameof(AvroReader.ReadDouble)),
        StringReader => Reader(nameof(AvroReader.ReadString)),
        BytesReader => Reader(nameof(AvroReader.ReadBytes)),
        _ => null,
    };

    private static MethodInfo Reader(string name) => typeof(AvroReader).GetMethod(name, Type.EmptyTypes)!;

    /// <summary>One step of a record body.</summary>
    /// <param name="Member">The member the value goes to; <see langword="null"/> to skip a writer field.</param>
    /// <param name="Reader">A <c>TypedReader&lt;member type&gt;</c>, or a <see cref="ReadNode"/> to skip with.</param>
    internal sealed record Step(RecordMember? Member, object Reader);
}
