using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataWeaver.Cli.Test;

/// <summary>Compares the records a sink got with those expected, and describes each difference readably.</summary>
internal static class RecordDiff
{
    /// <summary>Compares two lists of records in order (a record's fields in any order).</summary>
    /// <param name="sink">The sink's name, for the lines.</param>
    /// <param name="expected">The expected records.</param>
    /// <param name="actual">The records the sink got.</param>
    /// <returns>One block of lines per difference; none when they are equal.</returns>
    public static IEnumerable<string> Compare(string sink, IReadOnlyList<JsonNode?> expected, IReadOnlyList<JsonNode?> actual)
    {
        if (expected.Count != actual.Count)
        {
            yield return $"sink '{sink}': expected {Records(expected.Count)}, got {actual.Count}";
        }

        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            if (i >= actual.Count)
            {
                yield return $"sink '{sink}': record {i + 1} missing:\n    - {Text(expected[i])}";
            }
            else if (i >= expected.Count)
            {
                yield return $"sink '{sink}': record {i + 1} not expected:\n    + {Text(actual[i])}";
            }
            else if (!JsonNode.DeepEquals(expected[i], actual[i]))
            {
                yield return $"sink '{sink}': record {i + 1} differs{Fields(expected[i], actual[i])}:\n    - {Text(expected[i])}\n    + {Text(actual[i])}";
            }
        }
    }

    /// <summary>Writes a record as one line of compact JSON.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The text.</returns>
    public static string Text(JsonNode? record) => record?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";

    private static string Records(int count) => count == 1 ? "1 record" : $"{count} records";

    /// <summary>Names the top-level fields that differ: <c> (field 'region' missing; 'total' 150 != 149)</c>.</summary>
    private static string Fields(JsonNode? expected, JsonNode? actual)
    {
        if (expected is not JsonObject want || actual is not JsonObject got)
        {
            return string.Empty;
        }

        List<string> notes = [];
        foreach (var (name, value) in want)
        {
            if (!got.TryGetPropertyValue(name, out var other))
            {
                notes.Add($"'{name}' missing");
            }
            else if (!JsonNode.DeepEquals(value, other))
            {
                notes.Add($"'{name}' {Text(value)} expected, got {Text(other)}");
            }
        }

        notes.AddRange(got.Where(p => !want.ContainsKey(p.Key)).Select(p => $"'{p.Key}' not expected"));
        return notes.Count == 0 ? string.Empty : $" ({string.Join("; ", notes)})";
    }
}
