using System.Text;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Support;

/// <summary>Records with sequence ids: <c>{"id":N,"name":"item-N"}</c>, and the ids of a JSON-lines file.</summary>
internal static class JsonIds
{
    public static JsonRecord Record(long id) => JsonRecord.Parse($"{{\"id\":{id},\"name\":\"item-{id}\"}}");

    public static long Id(JsonRecord record) => Id(record, "id");

    /// <summary>The id at a dotted path (<c>after.id</c> for change records).</summary>
    public static long Id(JsonRecord record, string path) => record.TryGetInt64(path, out var id) ? id : throw new InvalidOperationException($"No {path} in {record}");

    /// <summary>The ids of a JSON-lines file's complete lines (a line cut by a kill is left out).</summary>
    public static IReadOnlyList<long> FileIds(string path, string field = "id")
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Id(JsonRecord.Parse(line), field))];
    }
}
