using System.Reflection;
using System.Reflection.Emit;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Internal.Reading;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Compiles the body of a <see cref="RecordReader{T}"/> once per (writer record, reader record, type): a dynamic
/// method that, in the writer's field order, reads each field with its typed reader into a local of the member's
/// type (or skips it), then calls the constructor with the locals and sets the remaining properties. Values never
/// pass through <see cref="object"/>.
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
            if (!locals.TryGetValue(step.Member, out var local))
            {
                local = il.DeclareLocal(step.Member.Type);
                locals[step.Member] = local;
            }

            il.Emit(OpCodes.Stloc, local);
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
    }

    /// <summary>One step of a record body.</summary>
    /// <param name="Member">The member the value goes to; <see langword="null"/> to skip a writer field.</param>
    /// <param name="Reader">A <c>TypedReader&lt;member type&gt;</c>, or a <see cref="ReadNode"/> to skip with.</param>
    internal sealed record Step(RecordMember? Member, object Reader);
}
