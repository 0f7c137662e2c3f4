using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Cli.Logging;

/// <summary>
/// The CLI's logger factory: every entry at or above the chosen level becomes one line on standard error, as text or
/// JSON, scrubbed of the definition file's secrets. Connectors and frameworks built from a file log through it
/// (<see cref="Configuration.PipelineFactoryOptions.LoggerFactory"/>). While the live table is drawn, lines are held and
/// written below it when it ends (a line written under a live table would be torn by its next redraw).
/// </summary>
/// <param name="output">Where the lines go (standard error).</param>
/// <param name="settings">The level and format.</param>
/// <param name="time">The clock of the timestamps.</param>
internal sealed class CliLog(TextWriter output, LogSettings settings, TimeProvider time) : ILoggerFactory
{
    /// <summary>The most lines held while the live table is drawn; later ones are counted and dropped.</summary>
    public const int MaxHeldLines = 1000;

    private readonly Lock _lock = new();
    private readonly List<string> _held = [];
    private bool _holding;
    private int _dropped;
    private string? _lastWarning;
    private Func<string, string> _scrub = static text => text;

    /// <summary>Gets the settings.</summary>
    public LogSettings Settings => settings;

    /// <summary>Gets the number of lines held so far while the live table is drawn.</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count + _dropped;
            }
        }
    }

    /// <summary>Gets the message of the last entry of level warning or above (scrubbed), for the live table: a client that cannot reach its server says so there.</summary>
    public string? LastWarning
    {
        get
        {
            lock (_lock)
            {
                return _lastWarning;
            }
        }
    }

    /// <summary>Sets what removes secrets from every line, once the definition file (and so its secrets) is known.</summary>
    /// <param name="scrub">The scrubber.</param>
    public void UseScrubber(Func<string, string> scrub)
    {
        lock (_lock)
        {
            _scrub = scrub;
        }
    }

    /// <summary>Holds the lines until the returned object is disposed, then writes them.</summary>
    /// <returns>What ends the hold.</returns>
    public IDisposable Hold()
    {
        lock (_lock)
        {
            _holding = true;
        }

        return new Release(this);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CliLogger(this, categoryName);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the CLI writes its own lines.</exception>
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The CLI's log takes no providers; it writes to standard error.");

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: the output belongs to the process.
    }

    /// <summary>Formats and writes (or holds) one entry.</summary>
    internal void Write(string category, LogLevel level, EventId eventId, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? fields)
    {
        lock (_lock)
        {
            if (level >= LogLevel.Warning)
            {
                _lastWarning = _scrub($"{category}: {OneLine(message)}");
            }

            var line = settings.Format == LogFormat.Json
                ? Json(time.GetUtcNow(), category, level, eventId, message, exception, fields, _scrub)
                : Text(time.GetUtcNow(), category, level, message, exception, _scrub);
            if (!_holding)
            {
                output.WriteLine(line);
            }
            else if (_held.Count < MaxHeldLines)
            {
                _held.Add(line);
            }
            else
            {
                _dropped++;
            }
        }
    }

    /// <summary>Formats a text line: timestamp, level, category and message (and the exception's type and message).</summary>
    internal static string Text(DateTimeOffset at, string category, LogLevel level, string message, Exception? exception, Func<string, string> scrub)
    {
        var text = new StringBuilder()
            .Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(LogSettings.Name(level)).Append(' ')
            .Append(category).Append(": ")
            .Append(OneLine(message));
        if (exception is not null)
        {
            text.Append(" (").Append(exception.GetType().Name).Append(": ").Append(OneLine(exception.Message)).Append(')');
        }

        return scrub(text.ToString());
    }

    /// <summary>Formats a JSON line: <c>timestamp</c>, <c>level</c>, <c>category</c>, <c>eventId</c>, <c>eventName</c>, <c>message</c>, <c>exception</c> and the entry's fields, every string scrubbed.</summary>
    internal static string Json(DateTimeOffset at, string category, LogLevel level, EventId eventId, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? fields, Func<string, string> scrub)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", LogSettings.Name(level));
            json.WriteString("category", category);
            if (eventId.Id != 0)
            {
                json.WriteNumber("eventId", eventId.Id);
            }

            if (eventId.Name is { } name)
            {
                json.WriteString("eventName", name);
            }

            json.WriteString("message", scrub(message));
            if (exception is not null)
            {
                json.WriteString("exception", scrub($"{exception.GetType().FullName}: {exception.Message}"));
            }

            HashSet<string> written = ["timestamp", "level", "category", "eventId", "eventName", "message", "exception"];
            foreach (var (key, value) in fields ?? [])
            {
                if (key == "{OriginalFormat}" || !written.Add(key))
                {
                    continue;
                }

                switch (value)
                {
                    case null:
                        json.WriteNull(key);
                        break;
                    case bool flag:
                        json.WriteBoolean(key, flag);
                        break;
                    case int or long or short or byte or uint or ulong or double or float or decimal:
                        json.WritePropertyName(key);
                        json.WriteRawValue(System.Convert.ToString(value, CultureInfo.InvariantCulture) is { } number && double.IsFinite(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)) ? number : "null");
                        break;
                    default:
                        json.WriteString(key, scrub(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
                        break;
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string OneLine(string text) => text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace('\n', ' ');

    private void EndHold()
    {
        lock (_lock)
        {
            _holding = false;
            foreach (var line in _held)
            {
                output.WriteLine(line);
            }

            if (_dropped > 0)
            {
                output.WriteLine(Text(time.GetUtcNow(), "DataWeaver.Cli", LogLevel.Warning, $"{_dropped} more log entries came while the live table was drawn and were dropped (at most {MaxHeldLines} are kept); use --log-format json or redirect standard error to keep them all.", null, _scrub));
            }

            _held.Clear();
            _dropped = 0;
        }
    }

    private sealed class Release(CliLog log) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                log.EndHold();
            }
        }
    }

    private sealed class CliLogger(CliLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= log.Settings.Level;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            log.Write(category, logLevel, eventId, formatter(state, exception), exception, state as IReadOnlyList<KeyValuePair<string, object?>>);
        }
    }
}
