using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DataWeaver.Http.Tests.Support;

/// <summary>The test records: <c>{"id":N}</c>.</summary>
internal static class Json
{
    public static byte[] Record(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"id":{{id}}}"""));

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

    public static byte[] Ndjson(IEnumerable<long> ids) => [.. ids.SelectMany(id => Record(id).Append((byte)'\n'))];

    public static byte[] Array(IEnumerable<long> ids) => Encoding.UTF8.GetBytes("[" + string.Join(",", ids.Select(id => Encoding.UTF8.GetString(Record(id)))) + "]");
}
