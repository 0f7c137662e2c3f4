using System.Globalization;
using System.Text;

namespace DataWeaver.Nats;

/// <summary>Maps topics, partitions and groups to JetStream stream, subject and consumer names.</summary>
internal static class NatsNames
{
    /// <summary>The stream of partition <paramref name="partition"/> of <paramref name="topic"/>: <c>{prefix}{topic}_{partition}</c>, the topic made a valid name.</summary>
    public static string Stream(NatsStreamOptions options, string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{options.StreamPrefix}{Token(topic)}_{partition}");

    /// <summary>The subject of a partition: <c>{prefix}{topic}.{partition}</c>.</summary>
    public static string Subject(NatsStreamOptions options, string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{options.SubjectPrefix}{Token(topic)}.{partition}");

    /// <summary>The durable consumer name of a group.</summary>
    public static string Durable(string group) => Token(group);

    /// <summary>
    /// A name JetStream accepts as a stream, consumer or subject token: letters, digits, '-' and '_' kept; any other
    /// character replaced by '_' and an 8-digit hash of the original appended, so distinct names stay distinct.
    /// </summary>
    public static string Token(string name)
    {
        var valid = true;
        var builder = new StringBuilder(name.Length + 9);
        foreach (var c in name)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
            valid &= keep;
            builder.Append(keep ? c : '_');
        }

        if (!valid)
        {
            builder.Append('-').Append(Fnv1a(Encoding.UTF8.GetBytes(name)).ToString("x8", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
