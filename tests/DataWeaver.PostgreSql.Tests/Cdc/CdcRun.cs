using System.Text;
using System.Text.Json;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>A change data capture pipeline into a collection, started and stopped by a test; ready once its slot is being read.</summary>
internal sealed class CdcRun
{
    private CdcRun(PostgresCdcSource source, CollectionSink<JsonRecord> sink, PipelineRun run)
    {
        Source = source;
        Sink = sink;
        Run = run;
    }

    public PostgresCdcSource Source { get; }

    public CollectionSink<JsonRecord> Sink { get; }

    public PipelineRun Run { get; }

    /// <summary>A slot (and publication) name of a test's own: dwtest_ prefixed, so eng/services/postgres.sh drops leftovers.</summary>
    public static string SlotName(string test) => PostgresServer.UniqueName(test).Replace('-', '_');

    /// <summary>Starts the pipeline; with <paramref name="deadLetters"/>, the source's undecodable changes go there, else they fail the run.</summary>
    public static async Task<CdcRun> StartAsync(PostgresDatabase database, PostgresCdcOptions options, SinkConnector<DeadLetter>? deadLetters = null)
    {
        var source = new PostgresCdcSource(options);
        var sink = new CollectionSink<JsonRecord>("changes");
        var from = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero });
        var run = (deadLetters is null ? from : from.OnError(e => e.DeadLetterTo(deadLetters))).To(sink).Build().Start();
        await WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{options.Slot}' AND active AND confirmed_flush_lsn IS NOT NULL") == 1, run); // created (at a consistent point) and read
        return new CdcRun(source, sink, run);
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, PipelineRun? run = null)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (run is { Completion.IsCompleted: true })
            {
                await run.Completion; // its error
                throw new InvalidOperationException("The pipeline ended before the condition held.");
            }

            Assert.True(TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(120), "The condition did not hold within 120 s."); // creating a slot waits for the transactions running meanwhile
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the sink holds <paramref name="count"/> records, then stops the pipeline (a drain and the final commit).</summary>
    public async Task<List<JsonElement>> StopAfterAsync(int count)
    {
        await WaitUntilAsync(() => Task.FromResult(Sink.Count >= count), Run);
        Run.RequestStop();
        await Run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        return [.. Sink.Records.Select(Parse)];
    }

    public static JsonElement Parse(JsonRecord record) => JsonDocument.Parse(record.Utf8).RootElement.Clone();

    public static string Text(JsonRecord record) => Encoding.UTF8.GetString(record.Utf8.Span);
}
