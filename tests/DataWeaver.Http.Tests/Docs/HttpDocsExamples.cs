using System.Net;
using System.Net.Http.Headers;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;

namespace DataWeaver.Http.Tests.Docs;

/// <summary>The code of docs/http.md, run.</summary>
public sealed class HttpDocsExamples
{
    [Fact]
    public async Task Relay_DocsExample_PostAnsweredOnceForwarded()
    {
        await using var downstream = await RecordingServer.StartAsync();
        var downstreamUrl = downstream.Url.ToString();

        // snippet: http-relay
        var source = new HttpServerSource(new HttpServerSourceOptions
        {
            Listen = "http://127.0.0.1:0",                                      // port 0: any free port (source.Address)
            Path = "/events",
            MaxInFlightRecords = 4_096,                                         // past it: 429 + Retry-After
            Authentication = new HttpAuthentication { BearerToken = "s3cret-token" },
        });
        var sink = new HttpSink(new HttpSinkOptions { Url = downstreamUrl, Body = HttpSinkBody.Ndjson, MaxBatchRecords = 100 });
        var run = Pipeline.From(source, new PipelineOptions { MaxInFlightRecords = 4_096, CommitInterval = TimeSpan.Zero })
            .To(sink)
            .Build()
            .Start();
        // end snippet
        while (source.Address is null)
        {
            await Task.Delay(5);
        }

        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token");
        using var content = new ByteArrayContent(Json.Array([1, 2, 3]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(source.Address, content);
        var forwarded = downstream.Ids; // read when the 200 came: already forwarded
        await run.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([1, 2, 3], forwarded);
    }
}
