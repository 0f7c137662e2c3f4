using System.Globalization;
using DataWeaver.Checkpoints;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using Microsoft.AspNetCore.WebUtilities;

namespace DataWeaver.Http.Tests.Polling;

/// <summary>The polling source's paging and checkpoints against a real endpoint.</summary>
public sealed class HttpPollingSourceTests
{
    private static readonly PipelineOptions Options = new() { BatchSize = 16, MaxInFlightRecords = 64, DefaultStageCapacity = 16, CommitInterval = TimeSpan.Zero };

    [Theory]
    [InlineData(HttpPagination.PageNumber)]
    [InlineData(HttpPagination.LinkHeader)]
    [InlineData(HttpPagination.Cursor)]
    public async Task Read_EveryPaging_AllRecordsOnceThenRecordsAddedLaterOnTheNextPoll(HttpPagination paging)
    {
        await using var server = await PagesServer.StartAsync(95, 10);
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span));
        var run = Pipeline.From(Source(server, paging, null), Options).To(probe).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Count >= 95, run.Completion, TimeSpan.FromSeconds(30));

        server.Add(12); // 95..106: the last page (5 records) grows, and a new page follows
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Count >= 107, run.Completion, TimeSpan.FromSeconds(30));
        await Task.Delay(100); // a few more polls: nothing new
        await run.StopAsync();

        Assert.Equal(Enumerable.Range(0, 107).Select(i => (long)i), probe.Ids);
    }

    /// <summary>
    /// A run stops acknowledging after some records and is aborted; a second run resumes from the checkpoint. What is asserted
    /// is the property, whatever the batch boundaries: the checkpoint never covers a record the first run's sink did not
    /// acknowledge (that would skip it), the second run reads exactly the records after the checkpoint (none skipped, none of
    /// the committed read again), and asks first for the page holding the checkpoint and never for an earlier one.
    /// </summary>
    [Theory]
    [InlineData(HttpPagination.Cursor, 1)]
    [InlineData(HttpPagination.Cursor, 20)]
    [InlineData(HttpPagination.Cursor, 32)]
    [InlineData(HttpPagination.Cursor, 50)]
    [InlineData(HttpPagination.PageNumber, 32)]
    [InlineData(HttpPagination.PageNumber, 50)]
    [InlineData(HttpPagination.LinkHeader, 32)]
    [InlineData(HttpPagination.LinkHeader, 50)]
    public async Task Restart_AfterAbort_ReadsExactlyTheRecordsAfterTheCheckpointStartingAtItsPage(HttpPagination paging, int acknowledgeLimit)
    {
        const int Count = 100;
        await using var server = await PagesServer.StartAsync(Count, 20);
        var store = new InMemoryCheckpointStore();
        var first = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span), acknowledgeLimit: acknowledgeLimit);
        var run = Pipeline.From(Source(server, paging, store, "1"), Options).To(first).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => first.Unacknowledged.Count > 0, run.Completion, TimeSpan.FromSeconds(30));
        var acknowledged = first.Acknowledged; // the sink acknowledges a prefix of the records, in order
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => Committed(store, paging, server.PageSize) >= acknowledged, run.Completion, TimeSpan.FromSeconds(30));
        run.Abort();
        try
        {
            await run.Completion;
        }
        catch (OperationCanceledException)
        {
        }

        var committed = Committed(store, paging, server.PageSize);
        var second = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span));
        var rerun = Pipeline.From(Source(server, paging, store, "2"), Options).To(second).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => second.Count >= Count - committed, rerun.Completion, TimeSpan.FromSeconds(30));
        await rerun.StopAsync();

        Assert.Equal(Enumerable.Range(0, (int)acknowledged).Select(i => (long)i), first.Ids.Take((int)acknowledged));
        Assert.Equal(acknowledged, committed); // everything acknowledged was committed, and nothing more
        Assert.Equal(Enumerable.Range((int)committed, Count - (int)committed).Select(i => (long)i), second.Ids); // neither skipped nor read again
        var pages = server.RequestsOf("2").Select(q => FirstRecordOf(q, paging, server.PageSize)).ToList();
        Assert.Equal(committed / server.PageSize * server.PageSize, pages[0]); // the page holding the checkpoint first
        Assert.All(pages, p => Assert.True(p >= pages[0], $"The second run asked for the page at {p}, before the checkpoint's page."));
    }

    /// <summary>How many records (from the first) the checkpoint in <paramref name="store"/> covers.</summary>
    private static long Committed(InMemoryCheckpointStore store, HttpPagination paging, int pageSize)
    {
        var saved = store.LoadAsync("pages").AsTask().GetAwaiter().GetResult();
        if (saved is null)
        {
            return 0;
        }

        var state = PollState.Decode(saved) ?? throw new InvalidOperationException("The checkpoint is not a polling state.");
        return FirstRecordOf(new Uri(state.Url).Query, paging, pageSize) + state.Skip;
    }

    /// <summary>The first record of the page a request asks for (the query string of the PagesServer's URL).</summary>
    private static long FirstRecordOf(string query, HttpPagination paging, int pageSize)
    {
        var values = QueryHelpers.ParseQuery(query);
        return paging == HttpPagination.PageNumber
            ? (long.Parse(values["page"]!, CultureInfo.InvariantCulture) - 1) * pageSize
            : values.TryGetValue("cursor", out var cursor) ? long.Parse(cursor!, CultureInfo.InvariantCulture) : 0;
    }

    private static HttpPollingSource Source(PagesServer server, HttpPagination paging, ICheckpointStore? store, string run = "1") => new(new HttpPollingSourceOptions
    {
        Headers = new Dictionary<string, string> { [PagesServer.RunHeader] = run },
        Url = server.Url.ToString(),
        Pagination = paging,
        PageSize = server.PageSize,
        RecordsPath = "data",
        CursorPath = "meta.next",
        Interval = TimeSpan.FromMilliseconds(10),
        CheckpointStore = store,
        CheckpointKey = "pages",
    });
}
