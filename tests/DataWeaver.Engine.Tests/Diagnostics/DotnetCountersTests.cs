using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using DataWeaver.Connectors.Memory;
using DataWeaver.Diagnostics;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Diagnostics;

/// <summary>
/// <c>dotnet-counters monitor --counters DataWeaver</c> reads the runtime's "System.Diagnostics.Metrics" event source
/// with a filter on the meter name; this listener opens the same kind of session in process.
/// </summary>
public sealed class DotnetCountersTests
{
    [Fact]
    public async Task MetricsEventSource_SessionFilteredOnDataWeaver_PublishesTheEnginesCountersAndGauges()
    {
        var name = "counters-" + Guid.NewGuid().ToString("N");
        var sink = new GatedSink<int>(freeBatches: 2, name: "gated");
        using var session = new MetricsSession();
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 5_000).ToArray()), new PipelineOptions { Name = name, BatchSize = 100 }).To(sink).Build();
        var run = pipeline.Start();
        await sink.Blocked;

        await MetricsTests.WaitUntil(() =>
            session.Published(DataWeaverInstruments.RecordsIn, name) is not null
            && session.Published(DataWeaverInstruments.BlockQueueDepth, name, $"{DataWeaverTags.Block}=gated") is not null
            && session.Published(DataWeaverInstruments.RecordsInFlight, name) is not null);
        sink.Open();
        await run.Completion;

        Assert.Contains(DataWeaverInstruments.RecordsOut, session.Instruments);
        Assert.Contains(DataWeaverInstruments.Latency, session.Instruments);
        Assert.Contains($"{DataWeaverTags.BlockId}=b1", session.Published(DataWeaverInstruments.BlockQueueDepth, name, $"{DataWeaverTags.Block}=gated"), StringComparison.Ordinal);
    }

    /// <summary>What dotnet-counters does: enables System.Diagnostics.Metrics with Metrics=DataWeaver and reads the published values.</summary>
    private sealed class MetricsSession : EventListener
    {
        private readonly ConcurrentQueue<(string Instrument, string Tags)> _values = new();
        private readonly ConcurrentDictionary<string, bool> _instruments = new();

        public ICollection<string> Instruments => _instruments.Keys;

        /// <summary>Gets the tags of a published value of the instrument whose tags name the pipeline and hold <paramref name="alsoTagged"/>.</summary>
        public string? Published(string instrument, string pipeline, string alsoTagged = "") =>
            _values.FirstOrDefault(v => v.Instrument == instrument
                && v.Tags.Contains($"{DataWeaverTags.Pipeline}={pipeline}", StringComparison.Ordinal)
                && v.Tags.Contains(alsoTagged, StringComparison.Ordinal)).Tags;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "System.Diagnostics.Metrics")
            {
                EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x3, new Dictionary<string, string?>
                {
                    ["SessionId"] = Guid.NewGuid().ToString(),
                    ["Metrics"] = DataWeaverMeter.Name,
                    ["RefreshInterval"] = "0.1",
                    ["MaxTimeSeries"] = "100000",
                    ["MaxHistograms"] = "1000",
                });
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.PayloadNames is null || e.Payload is null)
            {
                return;
            }

            var payload = e.PayloadNames.Zip(e.Payload).ToDictionary(p => p.First, p => p.Second?.ToString() ?? string.Empty);
            if (e.EventName == "BeginInstrumentReporting" && payload.TryGetValue("instrumentName", out var published))
            {
                _instruments[published] = true;
            }
            else if (e.EventName is "CounterRateValuePublished" or "GaugeValuePublished" or "UpDownCounterRateValuePublished"
                     && payload.TryGetValue("instrumentName", out var instrument) && payload.TryGetValue("tags", out var tags))
            {
                _values.Enqueue((instrument, tags));
            }
        }
    }
}
