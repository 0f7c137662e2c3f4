using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DataWeaver.Sockets.Tests.Support;

/// <summary>The records of the tests: <c>{"id":N,"name":"item-N"}</c>, and frames of them.</summary>
internal static class Frames
{
    public static byte[] Record(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"id":{{id}},"name":"item-{{id}}"}"""));

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

    /// <summary>Frames <paramref name="records"/> as the sources read them.</summary>
    public static byte[] Encode(IEnumerable<byte[]> records, SocketFraming framing)
    {
        using var stream = new MemoryStream();
        Span<byte> prefix = stackalloc byte[4];
        foreach (var record in records)
        {
            if (framing == SocketFraming.LengthPrefixed)
            {
                BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)record.Length);
                stream.Write(prefix);
                stream.Write(record);
            }
            else
            {
                stream.Write(record);
                stream.WriteByte((byte)'\n');
            }
        }

        return stream.ToArray();
    }
}
