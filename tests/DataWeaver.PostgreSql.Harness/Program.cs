using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Cdc;
using DataWeaver.PostgreSql.Source;
using DataWeaver.Serialization.Json;

// A PostgreSQL-to-file pipeline that crash tests kill and restart:
//   PostgresSource(TABLE, incremental by updated_at with id as tie-breaker, small pages, file checkpoints) -> JsonLinesSink(OUTPUT, append)
// or, with "cdc SLOT OUTPUT", PostgresCdcSource(slot and publication SLOT) -> JsonLinesSink(OUTPUT, append)
// with continuous commits. The connection string comes from DATAWEAVER_PG_HARNESS_CONNECTION (never from the command line).
// Exit code 0: the table was read to its end, or a stop signal drained the run.
// or, with "cdc-copy SLOT COPY-TABLE LOG-FILE", PostgresCdcSource(SLOT) -> both a copy of the table (PostgresSink upsert by id,
// a delete's key as a tombstone) and the change records appended to LOG-FILE, unpaced (the 200,000-change soak).
if (args.Length == 4 && args[0] == "cdc-copy")
{
    return await CdcCopy.RunAsync(args[1], args[2], args[3]);
}

// "failover ..." and "failover-cdc ..." run one instance of an active/standby pipeline (Failover/FailoverHarness.cs).
if (args is ["failover" or "failover-cdc", ..])
{
    return await DataWeaver.PostgreSql.Harness.Failover.FailoverHarness.RunAsync(args);
}

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: DataWeaver.PostgreSql.Harness TABLE CHECKPOINT-DIRECTORY OUTPUT-FILE | cdc SLOT OUTPUT-FILE | cdc-copy SLOT COPY-TABLE LOG-FILE");
    return 2;
}

// cdc SLOT OUTPUT: PostgresCdcSource(slot and publication SLOT) -> the same sink; the position is the slot's on the server.
SourceConnector<JsonRecord> source = args[0] == "cdc" ? new PostgresCdcSource(new PostgresCdcOptions
{
    ConnectionString = Environment.GetEnvironmentVariable("DATAWEAVER_PG_HARNESS_CONNECTION") ?? "",
    Slot = args[1],
    Publication = args[1],
}) : new PostgresSource(new PostgresSourceOptions
{
    ConnectionString = Environment.GetEnvironmentVariable("DATAWEAVER_PG_HARNESS_CONNECTION") ?? "",
    Table = args[0],
    IncrementingColumn = "updated_at",
    KeyColumn = "id",
    PageSize = 37, // pages end inside runs of rows sharing one updated_at
    CheckpointStore = new FileCheckpointStore(args[1]),
});
var sink = new JsonLinesSink<JsonRecord>(args[2], new JsonRecordCodec(), new JsonLinesSinkOptions { Append = true });
long seen = 0;
var pace = args[0] == "cdc" ? 2 : 20; // a stream reads far faster than pages: slower, so that kills land in its middle
var pipeline = Pipeline.From(source, new PipelineOptions { Name = "postgres-harness", CommitInterval = TimeSpan.Zero, MaxInFlightRecords = 256, BatchSize = 32 })
    .Map(record =>
    {
        if (++seen % pace == 0)
        {
            Thread.Sleep(1); // slows the run down so that kills land in its middle
        }

        return record;
    })
    .To(sink)
    .Build();
var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30));
return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;
