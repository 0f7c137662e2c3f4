using System.Text;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Support;

/// <summary>Records with sequence ids: <c>{"id":N,"name":"item-N"}</c>, and the ids of a JSON-lines file.</summary>
internal static class JsonIds
{
    public static JsonRecord Record(long id) => JsonRecord.Parse($"{{\"id\":{id},\"name\":\"item-{id}\"}}");

    public static long Id(JsonRecord record) => record.TryGetInt64("id", out var id) ? id : throw new InvalidOperationException($"No id in {record}");

    /// <summary>The ids of a JSON-lines file's complete lines (a line cut by a kill is left out).</summary>
    public static IReadOnlyList<long> FileIds(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Id(JsonRecord.Parse(line)))];
    }
}
