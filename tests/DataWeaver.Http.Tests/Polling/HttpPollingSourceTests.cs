using DataWeaver.Checkpoints;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;

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

    [Fact]
    public async Task Restart_MidPage_ResumesAtThatPageSkippingWhatWasCommittedAndNeverAsksForEarlierPages()
    {
        await using var server = await PagesServer.StartAsync(100, 20);
        var store = new InMemoryCheckpointStore();
        var first = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span), acknowledgeLimit: 32);
        var run = Pipeline.From(Source(server, HttpPagination.Cursor, store), Options).To(first).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => first.Unacknowledged.Count > 0, run.Completion, TimeSpan.FromSeconds(30));
        run.Abort();
        try
        {
            await run.Completion;
        }
        catch (OperationCanceledException)
        {
        }

        var committed = first.Ids.Except(first.Unacknowledged).ToList();
        var requestsBefore = server.Requests.Count;
        var second = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span));
        var rerun = Pipeline.From(Source(server, HttpPagination.Cursor, store), Options).To(second).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => second.Count >= 100 - committed.Count, rerun.Completion, TimeSpan.FromSeconds(30));
        await rerun.StopAsync();

        var k = committed.Count; // batches of up to 16 over pages of 20: the last committed record sits inside a page
        Assert.Equal(Enumerable.Range(0, k).Select(i => (long)i), committed);
        Assert.True(k % 20 != 0, $"{k} records were committed: a page boundary, the test proved nothing.");
        Assert.Equal(Enumerable.Range(k, 100 - k).Select(i => (long)i), second.Ids); // neither skipped nor read again
        Assert.Equal(k < 20 ? "" : "?cursor=" + (k / 20 * 20), server.Requests[requestsBefore]); // the restart asks for the committed page first
    }

    private static HttpPollingSource Source(PagesServer server, HttpPagination paging, ICheckpointStore? store) => new(new HttpPollingSourceOptions
    {
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
