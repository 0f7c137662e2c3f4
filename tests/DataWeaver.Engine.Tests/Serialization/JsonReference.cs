using System.Text.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>The reference the JSON fast paths are tested against (<see cref="Utf8JsonReader"/>), and the corruption of valid inputs.</summary>
internal static class JsonReference
{
    /// <summary>Whether a <see cref="Utf8JsonReader"/> reads exactly one object (UTF-8 is not checked here).</summary>
    public static bool ReaderAccepts(byte[] json, int maxDepth)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// One random edit: a byte replaced by noise, removed, noise inserted, the tail cut off, or (with
    /// <paramref name="kinds"/> 5) a space inserted, which keeps some mutants valid.
    /// </summary>
    public static byte[] Mutate(Random random, byte[] original, byte[] noise, int kinds = 4)
    {
        var bytes = new List<byte>(original);
        var at = random.Next(bytes.Count);
        switch (random.Next(kinds))
        {
            case 0:
                bytes[at] = noise[random.Next(noise.Length)];
                break;
            case 1:
                bytes.RemoveAt(at);
                break;
            case 2:
                bytes.Insert(at, noise[random.Next(noise.Length)]);
                break;
            case 3:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            default:
                bytes.Insert(at, (byte)' ');
                break;
        }

        return [.. bytes];
    }
}
