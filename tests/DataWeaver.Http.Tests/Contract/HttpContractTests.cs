using System.Collections.Concurrent;
using System.Globalization;
using DataWeaver.Connectors;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;

namespace DataWeaver.Http.Tests.Contract;

/// <summary>
/// The HTTP server source against the source contract. Its "input" is a set of clients posting the records as NDJSON chunks of 8
/// (half a batch) and sending again every chunk not answered 200; a restart is a new server (new port) whose clients send only
/// the chunks no earlier server answered 200. Four clients post at once, so the order is not kept.
/// </summary>
public sealed class HttpServerSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    private const int PerChunk = 8;
    private const int CrashRecords = 20_000;
    private const int CrashInFlight = 500;
    private readonly ConcurrentDictionary<string, PostingClients.Chunks> _chunks = new();
    private readonly ConcurrentDictionary<string, PostingClients> _clients = new();

    protected override bool PreservesOrder => false;

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var chunks = _chunks.GetOrAdd(context.UniqueName, _ => PostingClients.Chunks.Of([.. Enumerable.Range(0, context.RecordCount).Select(i => Json.Record(i))], PerChunk));
        return await StartAsync(context, chunks, workers: 4, HttpMalformedAction.Refuse);
    }

    protected override async ValueTask<PoisonInput<Record<ReadOnlyMemory<byte>>>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var lines = new List<byte[]>();
        var poison = new List<PoisonRecord>();
        for (var i = 0; i < context.RecordCount; i++)
        {
            if (i % 100 == 50)
            {
                var bad = "{\"id\": broken"u8.ToArray();
                poison.Add(new PoisonRecord(bad, new SourcePosition(0, lines.Count)));
                lines.Add(bad);
            }

            lines.Add(Json.Record(i));
        }

        // One client: the records reach the server in order, so the poison's positions are known beforehand.
        var source = await StartAsync(context, PostingClients.Chunks.Of(lines, PerChunk), workers: 1, HttpMalformedAction.DeadLetter, "-poison");
        return new PoisonInput<Record<ReadOnlyMemory<byte>>>(source, poison);
    }

    /// <summary>
    /// The <c>dataweaver</c> CLI runs an <c>http</c> source (in-flight bound <see cref="CrashInFlight"/>) into an appending JSON-lines
    /// file; eight clients in this process post <see cref="CrashRecords"/> records in chunks of 20 to its fixed port, sending again
    /// every chunk not answered 200 (refused, or cut by a kill). They pause 20 ms after each chunk answered, so that the last run
    /// always has work left: unpaced, the rest could go through before the kill, and the last run got its SIGTERM while starting. A chunk answered 200 is never sent again, so a record answered 200
    /// and lost would be missing from the final output. The last run is stopped (SIGTERM) once the output holds every id.
    /// </summary>
    protected override ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        var port = ChildProcesses.FreePort();
        var output = Path.Combine(context.Directory, "http-crash-output.jsonl");
        var file = Path.Combine(context.Directory, "http-crash.yaml");
        File.WriteAllText(file, string.Create(CultureInfo.InvariantCulture, $$"""
            version: 1
            pipelines:
              - name: http-crash
                source:
                  type: http
                  settings:
                    listen: http://127.0.0.1:{{port}}
                    path: /in
                    maxInFlightRecords: {{CrashInFlight}}
                commitInterval: 0s
                sinks:
                  - { type: json-lines-file, settings: { path: "{{output}}", append: true } }
            """));
        var chunks = PostingClients.Chunks.Of([.. Enumerable.Range(0, CrashRecords).Select(i => Json.Record(i))], 20);
        var url = new Uri($"http://127.0.0.1:{port}/in");
        _clients[context.UniqueName + "-crash"] = PostingClients.Start(chunks, () => url, workers: 8, token: null, pause: TimeSpan.FromMilliseconds(20)); // paced: each kill lands mid-run, the last run has work left
        return new(CliCrash.Scenario(CrashRecords, file, output, CrashInFlight)); // a kill duplicates at most what was accepted and not answered 200
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Json.Id(record.Value.Span);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposables.DisposeAll(_clients.Values);
        }

        base.Dispose(disposing);
    }

    private async Task<HttpServerSource> StartAsync(ContractContext context, PostingClients.Chunks chunks, int workers, HttpMalformedAction malformed, string suffix = "")
    {
        // The clients of the earlier run stop first: every chunk they were sending is either answered or free again.
        if (_clients.TryRemove(context.UniqueName + suffix, out var earlier))
        {
            await earlier.DisposeAsync();
        }

        var source = new HttpServerSource(new HttpServerSourceOptions
        {
            Listen = "http://127.0.0.1:0",
            Path = "/ingest",
            MaxInFlightRecords = PipelineOptions.MaxInFlightRecords,
            Malformed = malformed,
            Authentication = new HttpAuthentication { BearerToken = context.Secret },
        });
        _clients[context.UniqueName + suffix] = PostingClients.Start(chunks, () => source.Address, workers, context.Secret);
        return source;
    }
}

/// <summary>
/// The HTTP client sink against the sink contract, posting JSON arrays of up to 5 records to a real Kestrel endpoint of the
/// test, 4 requests at once: the server may take them out of order.
/// </summary>
public class HttpSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    private readonly ConcurrentDictionary<string, RecordingServer> _servers = new();

    protected virtual int Concurrency => 4;

    protected virtual HttpSinkBody Body => HttpSinkBody.JsonArray;

    protected override bool PreservesOrder => Concurrency == 1;

    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        var server = await ServerAsync(context);
        return new HttpSink(new HttpSinkOptions
        {
            Url = server.Url.ToString(),
            Body = Body,
            MaxConcurrency = Concurrency,
            MaxBatchRecords = 5,
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(5),
            MaxBackoff = TimeSpan.FromMilliseconds(20),
            Authentication = new HttpAuthentication { BearerToken = context.Secret },
        });
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, Json.Record(sequence), null, default, default);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        [.. (await ServerAsync(context)).Records.Select(r => new Record<ReadOnlyMemory<byte>>(default, r, null, default, default))];

    protected override async ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        var server = await ServerAsync(context);
        server.Down = true;
        return new Repair(server);
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Json.Id(record.Value.Span);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposables.DisposeAll(_servers.Values);
        }

        base.Dispose(disposing);
    }

    private async Task<RecordingServer> ServerAsync(ContractContext context)
    {
        if (_servers.TryGetValue(context.UniqueName, out var server))
        {
            return server;
        }

        server = await RecordingServer.StartAsync();
        return _servers.GetOrAdd(context.UniqueName, server);
    }

    private sealed class Repair(RecordingServer server) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            server.Down = false;
            return default;
        }
    }
}

/// <summary>The sink contract with one request at a time, as NDJSON: the server gets the records in order.</summary>
public sealed class HttpSinkSequentialNdjsonContractTests : HttpSinkContractTests
{
    protected override int Concurrency => 1;

    protected override HttpSinkBody Body => HttpSinkBody.Ndjson;
}

/// <summary>The sink contract with one request per record, 4 at once.</summary>
public sealed class HttpSinkPerRecordContractTests : HttpSinkContractTests
{
    protected override HttpSinkBody Body => HttpSinkBody.PerRecord;
}

/// <summary>The HTTP polling source against the source contract: a real endpoint paging 500 records by cursor, 20 a page; the cursor is checkpointed in the context's store.</summary>
public sealed class HttpPollingSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    private const int CrashRecords = 10_000;
    private const int CrashInFlight = 500;
    private readonly ConcurrentDictionary<string, PagesServer> _servers = new();

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        if (!_servers.TryGetValue(context.UniqueName, out var server))
        {
            server = _servers.GetOrAdd(context.UniqueName, await PagesServer.StartAsync(context.RecordCount, 20));
            server.Token = context.Secret;
        }

        return new HttpPollingSource(new HttpPollingSourceOptions
        {
            Url = server.Url.ToString(),
            Pagination = HttpPagination.Cursor,
            RecordsPath = "data",
            CursorPath = "meta.next",
            Interval = TimeSpan.FromMilliseconds(20),
            Authentication = new HttpAuthentication { BearerToken = context.Secret },
            CheckpointStore = context.Checkpoints,
            CheckpointKey = context.UniqueName,
        });
    }

    /// <summary>
    /// The <c>dataweaver</c> CLI runs an <c>http-poll</c> source (cursor paging, checkpoints in a folder, in-flight bound
    /// <see cref="CrashInFlight"/>) into an appending JSON-lines file, over a pages server in this process that holds each page
    /// back 3 ms (so each kill lands mid-run). A restart resumes at the checkpoint: nothing is skipped, at most the in-flight
    /// records are read again. The input never ends (a poll), so the last run is stopped (SIGTERM) once the output holds every id.
    /// </summary>
    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        var server = _servers.GetOrAdd(context.UniqueName + "-crash", await PagesServer.StartAsync(CrashRecords, 20));
        server.Delay = TimeSpan.FromMilliseconds(3);
        var output = Path.Combine(context.Directory, "poll-crash-output.jsonl");
        var file = Path.Combine(context.Directory, "poll-crash.yaml");
        await File.WriteAllTextAsync(file, string.Create(CultureInfo.InvariantCulture, $$"""
            version: 1
            pipelines:
              - name: poll-crash
                source:
                  type: http-poll
                  settings:
                    url: {{server.Url}}
                    pagination: cursor
                    recordsPath: data
                    cursorPath: meta.next
                    interval: 1s
                    checkpointDirectory: "{{Path.Combine(context.Directory, "state")}}"
                capacity: { inFlightRecords: {{CrashInFlight}} }
                commitInterval: 0s
                sinks:
                  - { type: json-lines-file, settings: { path: "{{output}}", append: true } }
            """));
        return CliCrash.Scenario(CrashRecords, file, output, CrashInFlight); // a kill reads again at most what was written and not checkpointed
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Json.Id(record.Value.Span);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposables.DisposeAll(_servers.Values);
        }

        base.Dispose(disposing);
    }
}
