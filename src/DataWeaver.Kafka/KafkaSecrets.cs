using System.Collections.Concurrent;
using Confluent.Kafka;

namespace DataWeaver.Kafka;

/// <summary>
/// The values of secret settings (passwords, keys, tokens) of every <see cref="KafkaStreamOptions"/> used in this process,
/// and the scrubbing of those values, by value, from every log line and exception message DataWeaver's Kafka clients emit.
/// librdkafka prints some secrets itself (its <c>debug</c> configuration dump), hence by value, not by key.
/// </summary>
public static class KafkaSecrets
{
    /// <summary>What a scrubbed secret value is replaced with.</summary>
    public const string Mask = "***";

    private static readonly ConcurrentDictionary<string, byte> Values = new(StringComparer.Ordinal);
    private static string[] _ordered = [];

    /// <summary>
    /// Tells whether a librdkafka setting holds a secret: its name mentions a password, secret, token or private key, or it
    /// is <c>sasl.oauthbearer.config</c>, <c>sasl.jaas.config</c> or <c>ssl.key.pem</c>.
    /// </summary>
    /// <param name="name">The setting's name (for example <c>sasl.password</c>).</param>
    /// <returns><see langword="true"/> for a secret setting.</returns>
    public static bool IsSecretSetting(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Contains("password", StringComparison.OrdinalIgnoreCase)
            || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
            || name.Contains("token", StringComparison.OrdinalIgnoreCase)
            || name.Equals("ssl.key.pem", StringComparison.OrdinalIgnoreCase)
            || name.Equals("sasl.oauthbearer.config", StringComparison.OrdinalIgnoreCase)
            || name.Equals("sasl.jaas.config", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Replaces every known secret value in <paramref name="text"/> with <see cref="Mask"/>.</summary>
    /// <param name="text">A log line or message.</param>
    /// <returns>The scrubbed text (the same instance when it holds no secret).</returns>
    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in Volatile.Read(ref _ordered))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Remembers the secret values of <paramref name="options"/> (secret settings and <see cref="KafkaStreamOptions.SecretValues"/>).</summary>
    internal static void Register(KafkaStreamOptions options)
    {
        var added = false;
        foreach (var value in SecretValuesOf(options))
        {
            added |= value.Length >= 3 && Values.TryAdd(value, 0);
        }

        if (added)
        {
            // Longest first, so a secret that contains another is masked whole.
            Volatile.Write(ref _ordered, [.. Values.Keys.OrderByDescending(v => v.Length)]);
        }
    }

    /// <summary>The log handler of every client built from <paramref name="options"/>: scrubs, then hands the line on.</summary>
    internal static Action<IClient, LogMessage> LogHandler(KafkaStreamOptions options)
    {
        var sink = LogSink(options);
        var logger = options.LogHandler is null ? options.Logger : null;
        return (_, message) =>
        {
            var level = (KafkaLogLevel)(int)message.Level;
            if (logger is null || logger.IsEnabled(KafkaLog.ToLogLevel(level)))
            {
                sink(new KafkaLogMessage(level, Scrub(message.Name), message.Facility, Scrub(message.Message)));
            }
        };
    }

    /// <summary>The error handler of every client: librdkafka's own error events as scrubbed log lines.</summary>
    internal static Action<IClient, Error> ErrorHandler(KafkaStreamOptions options)
    {
        var sink = LogSink(options);
        return (client, error) => sink(new KafkaLogMessage(
            error.IsFatal ? KafkaLogLevel.Critical : KafkaLogLevel.Error, Scrub(client.Name), "ERROR", Scrub($"{error.Code}: {error.Reason}")));
    }

    /// <summary>
    /// Where DataWeaver's own Kafka log lines go: <see cref="KafkaStreamOptions.LogHandler"/> (every line), else
    /// <see cref="KafkaStreamOptions.Logger"/> with repeats held back (<see cref="KafkaLogRepeats"/>), else nowhere.
    /// </summary>
    internal static Action<KafkaLogMessage> LogSink(KafkaStreamOptions options) =>
        options.LogHandler ?? (options.Logger is { } logger ? new KafkaLogRepeats(message => KafkaLog.Write(logger, message), TimeProvider.System).Write : static _ => { });

    private static IEnumerable<string> SecretValuesOf(KafkaStreamOptions options)
    {
        foreach (var settings in new[] { options.Settings, options.ConsumerSettings })
        {
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            {
                if (IsSecretSetting(name) && !string.IsNullOrEmpty(value))
                {
                    yield return value;
                }
            }
        }

        foreach (var value in options.SecretValues ?? [])
        {
            yield return value;
        }
    }
}
