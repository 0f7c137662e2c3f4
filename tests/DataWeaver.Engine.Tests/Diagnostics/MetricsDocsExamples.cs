using System.Diagnostics.Metrics;
using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Diagnostics;
using DataWeaver.Pipelines;

namespace DataWeaver.Tests.Diagnostics;

/// <summary>The engine examples of docs/metrics.md, run as they are printed.</summary>
public sealed class MetricsDocsExamples
{
    [Fact]
    public async Task Progress_Example_PrintsRatesAndEveryBlocksQueueAndBusyShare()
    {
        var output = new StringWriter();
        var pipeline = Pipeline.From(new GeneratorSource<long>(n => n, new GeneratorOptions { Count = 300_000, RecordsPerSecond = 400_000 }), new PipelineOptions { Name = "progress" })
            .Map(n => n * 2, name: "double")
            .To(new CollectionSink<long>("out"))
            .Build();

        // snippet: metrics-progress
        var run = pipeline.Start();
        var previous = run.Statistics;
        while (!run.Completion.IsCompleted)
        {
            await Task.WhenAny(run.Completion, Task.Delay(TimeSpan.FromMilliseconds(250)));
            var now = run.Statistics;
            var interval = now.Elapsed - previous.Elapsed;
            output.WriteLine(
                $"{(now.RecordsRead - previous.RecordsRead) / interval.TotalSeconds:N0} in/s, " +
                $"{(now.RecordsWritten - previous.RecordsWritten) / interval.TotalSeconds:N0} out/s, " +
                $"{now.Errors} errors, {now.RecordsDeadLettered} dead-lettered, {now.RecordsInFlight} in flight");
            for (var i = 0; i < now.Blocks.Count; i++)
            {
                var block = now.Blocks[i];
                output.WriteLine($"  {block.Name,-10} queue {block.QueueFill,4:P0}  busy {block.BusyShareSince(previous.Blocks[i], interval),4:P0}");
            }

            previous = now;
        }
        // end snippet

        await run.Completion;
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, lines.Length % 4); // a totals line, then one line per block: generator, double, out
        Assert.All(lines.Where((_, i) => i % 4 == 0), l => Assert.Contains(" in/s, ", l, StringComparison.Ordinal));
        Assert.Equal(["  generator", "  double", "  out"], lines.Take(4).Skip(1).Select(l => l[..11].TrimEnd()));
        Assert.Equal(300_000, run.Statistics.RecordsWritten);
    }

    [Fact]
    public async Task MeterListener_Example_SumsRecordsOutPerSink()
    {
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 10_000).ToArray()), new PipelineOptions { Name = "metrics-doc-orders" })
            .Filter(x => x % 4 == 0)
            .To(new CollectionSink<int>("warehouse"))
            .Build();

        // snippet: metrics-listener
        var written = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DataWeaverMeter.Name && instrument.Name == DataWeaverInstruments.RecordsOut)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            string? pipeline = null, sink = null;
            foreach (var tag in tags)
            {
                if (tag.Key == DataWeaverTags.Pipeline) pipeline = tag.Value as string;
                if (tag.Key == DataWeaverTags.Sink) sink = tag.Value as string;
            }

            written.AddOrUpdate($"{pipeline}/{sink}", value, (_, total) => total + value);
        });
        listener.Start();

        await pipeline.RunAsync();
        // end snippet

        Assert.Equal(2_500, written["metrics-doc-orders/warehouse"]);
    }
}
