using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Support;

/// <summary>A <c>capture</c> sink type that keeps what it writes as JSON text, by connector name.</summary>
internal sealed class Capture
{
    private readonly ConcurrentDictionary<string, CaptureSink> _sinks = new(StringComparer.Ordinal);

    public Capture(ConnectorRegistry? registry = null)
    {
        Registry = (registry ?? ConnectorRegistry.CreateDefault()).RegisterSink("capture", context => _sinks.GetOrAdd(context.Name, name => new CaptureSink(name)));
    }

    public ConnectorRegistry Registry { get; }

    public IReadOnlyList<string> this[string name] => _sinks.TryGetValue(name, out var sink) ? sink.Lines : [];

    /// <summary>Loads the text (YAML unless it starts with '{'), runs its only pipeline to the end, and returns what the sink named <c>capture</c> got.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(string text, Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        var file = PipelineDefinitionLoader.Parse(text, text.StartsWith('{') ? "pipeline.json" : "pipeline.yaml", new PipelineLoadOptions { Registry = Registry, Environment = environment ?? Env.Empty });
        await using var factory = new PipelineFactory(Registry, new PipelineFactoryOptions { TimeProvider = time ?? TimeProvider.System });
        await factory.Create(file.Pipelines.Single()).RunAsync();
        return this["capture"];
    }

    private sealed class CaptureSink(string name) : SinkConnector<JsonRecord>(name)
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

        public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
        {
            lock (_lines)
            {
                foreach (var record in batch.Span)
                {
                    _lines.Add(record.ToString());
                }
            }

            return default;
        }
    }
}

/// <summary>A clock stopped at one moment.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly FixedClock NewYear2026 = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now;
}
