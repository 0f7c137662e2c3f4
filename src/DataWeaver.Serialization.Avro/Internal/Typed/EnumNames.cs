using System.Collections.Concurrent;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>Caches the names of C# enum values, so writing an enum does not format it every time.</summary>
internal static class EnumNames
{
    private static readonly ConcurrentDictionary<Enum, string> Names = new();

    public static string Get(Enum value) => Names.GetOrAdd(value, static v => v.ToString());
}
