using System.Globalization;
using System.Text.RegularExpressions;

namespace DataWeaver.Kafka;

/// <summary>
/// Keeps librdkafka's repeated lines (a refused connection retried every few milliseconds) from flooding the log: a line
/// equal to one written less than <see cref="Window"/> ago, numbers aside, is counted instead of written; the next time it
/// is written it says how many were held back. Thread-safe; remembers at most <see cref="MaxLines"/> distinct lines.
/// </summary>
internal sealed partial class KafkaLogRepeats(Action<KafkaLogMessage> sink, TimeProvider time)
{
    public const int MaxLines = 256;

    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, (long WrittenAt, int Held)> _lines = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    public void Write(KafkaLogMessage message)
    {
        var key = $"{message.Level}|{message.Client}|{message.Facility}|{Digits().Replace(message.Message, "#")}";
        var now = time.GetTimestamp();
        int held;
        lock (_sync)
        {
            if (_lines.TryGetValue(key, out var seen) && time.GetElapsedTime(seen.WrittenAt, now) < Window)
            {
                _lines[key] = (seen.WrittenAt, seen.Held + 1);
                return;
            }

            if (_lines.Count >= MaxLines)
            {
                _lines.Clear();
            }

            held = seen.Held;
            _lines[key] = (now, 0);
        }

        sink(held == 0
            ? message
            : message with { Message = string.Create(CultureInfo.InvariantCulture, $"{message.Message} (and {held} more like it in the {Window.TotalSeconds:0} s before)") });
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
