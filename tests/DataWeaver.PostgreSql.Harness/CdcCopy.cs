using System.Text.Json;
using DataWeaver.Connectors.Files;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.Serialization.Json;

/// <summary>
/// The soak's pipeline: the slot's changes into a copy of the table (upsert by id; a delete becomes a tombstone of its key)
/// and, beside it, every change record appended to a log file, so the test can count what was lost, repeated or reordered.
/// A change commits only when both sinks wrote it.
/// </summary>
internal static class CdcCopy
{
    /// <summary>Records in flight at most: the bound on what a kill may deliver again.</summary>
    public const int MaxInFlight = 256;

    public static async Task<int> RunAsync(string slot, string copyTable, string log)
    {
        var connection = Environment.GetEnvironmentVariable("DATAWEAVER_PG_HARNESS_CONNECTION") ?? "";
        var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = connection, Slot = slot, Publication = slot, MaxAttempts = 30 });
        var copy = new PostgresSink(new PostgresSinkOptions { ConnectionString = connection, Table = copyTable, KeyColumns = ["id"], MaxAttempts = 30 });
        var changes = new JsonLinesSink<JsonRecord>(log, new JsonRecordCodec(), new JsonLinesSinkOptions { Append = true });
        var pipeline = Pipeline.From(source, new PipelineOptions { Name = "postgres-cdc-copy", CommitInterval = TimeSpan.Zero, MaxInFlightRecords = MaxInFlight, BatchSize = 64 })
            .Broadcast(
                toCopy => toCopy.Map(Row).To(copy),
                toLog => toLog.To(changes))
            .Build();
        var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30));
        return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;
    }

    private static JsonRecord Row(JsonRecord record)
    {
        using var change = JsonDocument.Parse(record.Utf8);
        var root = change.RootElement;
        return root.GetProperty("op").GetString() == "delete"
            ? JsonRecord.Parse($"{{\"id\":{root.GetProperty("key").GetProperty("id").GetInt64()},\"__deleted\":true}}")
            : JsonRecord.Parse(root.GetProperty("after").GetRawText());
    }
}
