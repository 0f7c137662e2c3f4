using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Tests.Support;

/// <summary>Keeps every log entry of every category and level, with its formatted message and exception text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IEnumerable<LogEntry> Of(string category) => Entries.Where(e => e.Category == category);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, string? Exception, IReadOnlyList<KeyValuePair<string, object?>> State)
    {
        /// <summary>Everything the entry would put in a log file: message, exception (message and stack) and structured values.</summary>
        public string FullText => $"{Category} {Message} {Exception} {string.Join(" ", State.Select(s => $"{s.Key}={s.Value}"))}";
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception?.ToString(), [.. values]));
        }
    }
}
