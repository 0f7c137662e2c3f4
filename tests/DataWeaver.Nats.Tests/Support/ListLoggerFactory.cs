using System.Globalization;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Nats.Tests.Support;

/// <summary>Keeps every log line (time, level, category, message, exception) in memory, for tests that assert on logs or print them when they fail.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerFactory provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception}");
            lock (provider._lines)
            {
                provider._lines.Add(line);
            }
        }
    }
}
