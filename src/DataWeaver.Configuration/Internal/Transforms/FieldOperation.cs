using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// A set, rename, drop, cast, timestamp or lookup: an operation on fields that a <see cref="JsonRecordTransform"/>
/// applies. Consecutive operations on different fields share one transform (one pass over the record).
/// </summary>
internal sealed class FieldOperation(string description, Action<JsonRecordTransformBuilder> apply)
{
    /// <summary>Gets the top-level fields the operation writes (sets, renames, drops).</summary>
    public HashSet<string> Writes { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the top-level fields the operation reads (a copied field, a template's placeholders, a condition's fields).</summary>
    public HashSet<string> Reads { get; } = new(StringComparer.Ordinal);

    public string Description { get; } = description;

    public void Apply(JsonRecordTransformBuilder builder) => apply(builder);

    public FieldOperation Writing(params string[] paths)
    {
        foreach (var path in paths)
        {
            Writes.Add(Root(path));
        }

        return this;
    }

    public FieldOperation Reading(params string[] paths)
    {
        foreach (var path in paths)
        {
            Reads.Add(Root(path));
        }

        return this;
    }

    /// <summary>
    /// Gets a value indicating whether the operation can join a group (one pass) and still see what running after the
    /// group's operations would show it: every operation of a pass reads the record as it was before the pass, so the
    /// operation must not read a field the group writes, nor write one the group writes. Writing a field the group only
    /// reads is fine: those reads happen before, as they would in order.
    /// </summary>
    public bool CanJoin(HashSet<string> groupWrites) => !Writes.Overlaps(groupWrites) && !Reads.Overlaps(groupWrites);

    private static string Root(string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? path : path[..dot];
    }
}
