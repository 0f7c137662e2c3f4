using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Kafka.Harness;

/// <summary>Runs a definition file's pipelines to their end, logging to standard output.</summary>
internal static class DefinitionFileRun
{
    public static async Task<int> RunAsync(string file)
    {
        await using var manager = new PipelineManager(new PipelineManagerOptions
        {
            Registry = ConnectorRegistry.CreateDefault().AddKafka(),
            Factory = new PipelineFactoryOptions { LoggerFactory = new StandardOutputLoggerFactory() },
        });
        manager.LoadFile(file);
        var runs = manager.StartAll();
        await Task.WhenAll(runs.Select(r => r.Completion));
        Console.WriteLine("done");
        return 0;
    }

    private sealed class StandardOutputLoggerFactory : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new StandardOutputLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private sealed class StandardOutputLogger(string category) : ILogger
    {
        private static readonly Lock Gate = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Gate)
            {
                Console.WriteLine($"log {logLevel} {category}: {formatter(state, exception)}");
            }
        }
    }
}
