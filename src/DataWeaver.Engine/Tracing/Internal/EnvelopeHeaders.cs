using System.Reflection;
using DataWeaver.Records;

namespace DataWeaver.Tracing.Internal;

/// <summary>
/// Reads <see cref="IRecordEnvelope.Headers"/> of a record of type <typeparamref name="T"/> without boxing it (a cast of a
/// struct record to the interface would allocate a box per batch): a constrained call, bound once per type.
/// </summary>
internal static class EnvelopeHeaders<T>
{
    public delegate RecordHeaders? Reader(in T item);

    /// <summary>Gets the reader, or <see langword="null"/> when <typeparamref name="T"/> is not a record envelope (no headers).</summary>
    public static readonly Reader? Read = Create();

    private static Reader? Create()
    {
        if (!typeof(IRecordEnvelope).IsAssignableFrom(typeof(T)))
        {
            return null;
        }

        return typeof(EnvelopeHeaders).GetMethod(nameof(EnvelopeHeaders.Of), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(T))
            .CreateDelegate<Reader>();
    }
}

/// <summary>The constrained read <see cref="EnvelopeHeaders{T}"/> binds to.</summary>
internal static class EnvelopeHeaders
{
    internal static RecordHeaders? Of<T>(in T item)
        where T : IRecordEnvelope => item.Headers;
}
