using System.Text;

namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>The CRC-64-AVRO (Rabin) fingerprint the specification defines for schema identification.</summary>
public static class SchemaFingerprint
{
    private const ulong Empty = 0xc15d213aa4d7a795UL;
    private static readonly ulong[] Table = BuildTable();

    /// <summary>Computes the CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form.</summary>
    /// <param name="canonicalForm">The canonical form text; it is hashed as UTF-8.</param>
    /// <returns>The fingerprint, as a signed 64-bit value (the bit pattern of the unsigned result).</returns>
    public static long Crc64Avro(string canonicalForm)
    {
        ArgumentNullException.ThrowIfNull(canonicalForm);
        return Crc64Avro(Encoding.UTF8.GetBytes(canonicalForm));
    }

    /// <summary>Computes the CRC-64-AVRO fingerprint of bytes.</summary>
    /// <param name="data">The bytes to hash.</param>
    /// <returns>The fingerprint, as a signed 64-bit value.</returns>
    public static long Crc64Avro(ReadOnlySpan<byte> data)
    {
        var fp = Empty;
        foreach (var b in data)
        {
            fp = (fp >> 8) ^ Table[(int)((fp ^ b) & 0xff)];
        }

        return unchecked((long)fp);
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var fp = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Empty & (0UL - (fp & 1)));
            }

            table[i] = fp;
        }

        return table;
    }
}
