using System.Globalization;
using System.Text;
using System.Text.Json;
using DataWeaver.Records;

namespace DataWeaver.Testing.Tests.Support;

/// <summary>Byte records whose value is <c>{"id":N}</c>: the sequence-numbered records of the byte connectors' contracts.</summary>
public static class IdRecords
{
    public static byte[] Json(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}"));

    public static Record<ReadOnlyMemory<byte>> Record(long id) => new(ReadOnlyMemory<byte>.Empty, Json(id), null, default, default);

    public static long Id(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                return reader.GetInt64();
            }
        }

        throw new FormatException("No id in " + Encoding.UTF8.GetString(json));
    }

    /// <summary>The ids of a JSON-lines file's complete lines (an incomplete last line is skipped).</summary>
    public static IReadOnlyList<long> FileIds(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray().AsSpan();
        var end = bytes.LastIndexOf((byte)'\n');
        var ids = new List<long>();
        if (end < 0)
        {
            return ids;
        }

        foreach (var range in bytes[..end].Split((byte)'\n'))
        {
            if (range.End.GetOffset(end) > range.Start.GetOffset(end))
            {
                ids.Add(Id(bytes[range]));
            }
        }

        return ids;
    }
}
