using System.Globalization;
using System.Text;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Http.Tests.Client;

/// <summary>URL and headers filled from each record: records grouped by what they make, a record without the field dead-lettered.</summary>
public sealed class HttpSinkTemplateTests
{
    [Theory]
    [InlineData(HttpSinkBody.JsonArray)]
    [InlineData(HttpSinkBody.PerRecord)]
    public async Task Write_UrlAndHeaderTemplated_EachRecordGoesToItsOwnUrlAndTheRecordsWithoutTheFieldAreDeadLettered(HttpSinkBody body)
    {
        await using var server = await RecordingServer.StartAsync();
        server.KeepHeader = "X-Tenant";
        const int Count = 300;
        var records = Enumerable.Range(0, Count).Select(i => new Record<ReadOnlyMemory<byte>>(
            Encoding.UTF8.GetBytes("k" + (i % 2).ToString(CultureInfo.InvariantCulture)),
            Encoding.UTF8.GetBytes(i % 10 == 7
                ? $$"""{"id":{{i}}}"""
                : $$$"""{"id":{{{i}}},"account":{"tenant":"{{{Tenant(i)}}}"}}"""),
            null,
            default,
            default)).ToList();
        var letters = new CollectionSink<DeadLetter>();
        var sink = new HttpSink(new HttpSinkOptions
        {
            Url = server.Url + "/{account.tenant}?key={$key}",
            Body = body,
            Headers = new Dictionary<string, string> { ["X-Tenant"] = "tenant {account.tenant}", ["X-Fixed"] = "same" },
            MaxBatchRecords = 20,
        });
        var run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { BatchSize = 64 })
            .To(sink).OnError(e => e.DeadLetterTo(letters)).Build().Start();

        await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        var missing = Enumerable.Range(0, Count).Where(i => i % 10 == 7).Select(i => (long)i).ToList();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i).Except(missing), server.Ids.Order());
        Assert.All(server.Taken, request =>
        {
            var id = request.Ids[0];
            Assert.Equal(server.Url.AbsolutePath + "/" + Uri.EscapeDataString(Tenant(id)) + "?key=k" + (id % 2), request.Path);
            Assert.Equal("tenant " + Tenant(id), request.Header);
            Assert.All(request.Ids, other => Assert.True(Tenant(other) == Tenant(id) && other % 2 == id % 2, $"{other} went with {id}."));
        });
        Assert.Equal(missing, letters.Records.Select(l => Json.Id(l.Payload.Span)).Order());
        Assert.All(letters.Records, l =>
        {
            Assert.Equal(ErrorClass.Data, l.ErrorClass);
            Assert.Contains("no 'account.tenant'", l.Exception.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Create_UnclosedPlaceholder_ConfigurationErrorNamingTheOption()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => new HttpSink(new HttpSinkOptions
        {
            Url = "http://127.0.0.1:1/{tenant",
            Headers = new Dictionary<string, string> { ["X-A"] = "{}" },
        }));

        Assert.Contains("HttpSinkOptions.Url has a bad placeholder", error.Message, StringComparison.Ordinal);
        Assert.Contains("HttpSinkOptions.Headers['X-A'] has a bad placeholder", error.Message, StringComparison.Ordinal);
    }

    private static string Tenant(long id) => "t " + (id % 3).ToString(CultureInfo.InvariantCulture) + "/x";
}
