using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataWeaver.Connectors.Memory;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Http.Tests.Server;

/// <summary>The server source's answers: when a 200 comes, refusals at the bound, limits, malformed bodies, authentication.</summary>
public sealed class HttpServerSourceTests
{
    private const string Token = "server-canary-token-0815";
    private static readonly PipelineOptions Options = new() { BatchSize = 16, MaxInFlightRecords = 64, DefaultStageCapacity = 16, CommitInterval = TimeSpan.Zero };

    [Fact]
    public async Task Post_SinkHoldsTheRecords_AnsweredOnlyOnceCommitted()
    {
        var source = NewSource();
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span), gated: true);
        var run = Pipeline.From(source, Options).To(probe).Build().Start();
        using var client = Client();
        var post = client.PostAsync(await AddressAsync(source), Ndjson([1, 2, 3]));

        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Waiting > 0, run.Completion, TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        Assert.False(post.IsCompleted, "The request was answered before its records were written.");
        probe.OpenGate();
        using var response = await post;
        run.RequestStop();
        await run.Completion;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"records":3,"deadLettered":0}""", (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Equal([1, 2, 3], probe.Ids);
    }

    [Fact]
    public async Task Post_InFlightBoundReached_429WithRetryAfterAndNothingBuffered()
    {
        var source = NewSource(o => o with { MaxInFlightRecords = 10, RetryAfter = TimeSpan.FromSeconds(3) });
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span), gated: true);
        var run = Pipeline.From(source, Options).To(probe).Build().Start();
        using var client = Client();
        var url = await AddressAsync(source);
        var first = client.PostAsync(url, Ndjson(Enumerable.Range(0, 8)));
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => source.InFlightRecords == 8, run.Completion, TimeSpan.FromSeconds(30));

        using var refused = await client.PostAsync(url, Ndjson(Enumerable.Range(8, 5)));

        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(8, source.InFlightRecords);
        Assert.Equal(1, source.RefusedRequests);
        probe.OpenGate();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        using var retried = await client.PostAsync(url, Ndjson(Enumerable.Range(8, 5)));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        run.RequestStop();
        await run.Completion;
        Assert.Equal([.. Enumerable.Range(0, 13).Select(i => (long)i)], probe.Ids);
        Assert.True(source.PeakInFlightRecords <= 10, $"{source.PeakInFlightRecords} records were in flight; the bound is 10.");
    }

    [Theory]
    [InlineData("application/x-ndjson", "{\"id\":1}\n{\"id\":2\n{\"id\":3}\n", "Malformed NDJSON at line 2")]
    [InlineData("application/json", "[{\"id\":1},\n {\"id\" 2}]", "Malformed JSON at line 2, byte 8")]
    [InlineData("application/json", "{\"id\":1} {\"id\":2}", "Malformed JSON at line 1")]
    public async Task Post_MalformedBody_400NamingThePositionAndNothingAccepted(string contentType, string body, string expected)
    {
        var source = NewSource();
        var probe = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var run = Pipeline.From(source, Options).To(probe).Build().Start();
        using var client = Client();
        using var content = new StringContent(body, Encoding.UTF8, contentType);

        using var response = await client.PostAsync(await AddressAsync(source), content);
        run.RequestStop();
        await run.Completion;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(expected, Error(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(0, probe.Count);
    }

    [Fact]
    public async Task Post_MalformedLinesUnderDeadLetter_GoodRecordsDeliveredBadLinesDeadLetteredWithOriginalBytes()
    {
        var source = NewSource(o => o with { Malformed = HttpMalformedAction.DeadLetter });
        var probe = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var letters = new CollectionSink<DeadLetter>();
        var run = Pipeline.From(source, Options).OnError(e => e.DeadLetterTo(letters)).To(probe).Build().Start();
        using var client = Client();
        using var content = new StringContent("{\"id\":1}\nnot json\n{\"id\":3}\n", Encoding.UTF8, "application/x-ndjson");

        using var response = await client.PostAsync(await AddressAsync(source), content);
        run.RequestStop();
        await run.Completion;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"records":2,"deadLettered":1}""", (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Equal([1, 3], probe.Records.Select(r => Json.Id(r.Value.Span)));
        var letter = Assert.Single(letters.Records);
        Assert.Equal("not json", Encoding.UTF8.GetString(letter.Payload.Span));
        Assert.Equal(new SourcePosition(0, 1), letter.Position);
        Assert.Contains("line 2", letter.Exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(65, false)] // one byte over the limit, with Content-Length
    [InlineData(65, true)] // one byte over the limit, chunked: found while reading
    [InlineData(400_000, false)] // far more than the socket buffers hold: the server must read it before answering
    [InlineData(400_000, true)]
    public async Task Post_BodyOverTheLimit_413ReadByTheClientAndNothingAccepted(int size, bool chunked)
    {
        var source = NewSource(o => o with { MaxBodyBytes = 64 });
        var probe = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var run = Pipeline.From(source, Options).To(probe).Build().Start();
        var url = await AddressAsync(source);
        using var client = Client();
        var body = new byte[size];
        Array.Fill(body, (byte)' ');
        "{\"id\":1}"u8.CopyTo(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = chunked;

        using var tooLarge = await client.SendAsync(request);
        using var after = await client.PostAsync(url, Ndjson([2])); // the server goes on serving (a new connection)
        run.RequestStop();
        await run.Completion;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("The body is larger than 64 bytes.", Error(await tooLarge.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal([2], probe.Records.Select(r => Json.Id(r.Value.Span)));
    }

    [Fact]
    public async Task Post_ContentTypeNotJson_415AndNothingAccepted()
    {
        var source = NewSource();
        var probe = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var run = Pipeline.From(source, Options).To(probe).Build().Start();
        using var client = Client();

        using var text = await client.PostAsync(await AddressAsync(source), new StringContent("{\"id\":1}", Encoding.UTF8, "text/plain"));
        using var latin1 = await client.PostAsync(await AddressAsync(source), new StringContent("{\"id\":1}", Encoding.Latin1, "application/json"));
        run.RequestStop();
        await run.Completion;

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, latin1.StatusCode);
        Assert.Equal(0, probe.Count);
    }

    [Fact]
    public async Task Post_NoOrWrongCredentials_401AndTheSecretsNeverEchoed()
    {
        var source = NewSource();
        var probe = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var run = Pipeline.From(source, Options).To(probe).Build().Start();
        var url = await AddressAsync(source);
        using var anonymous = new HttpClient();
        using var wrong = new HttpClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
        using var wrongKey = new HttpClient();
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "key-canary-4711x");
        using var byToken = Client();
        using var byKey = new HttpClient();
        byKey.DefaultRequestHeaders.Add("X-Api-Key", "key-canary-4711");

        using var noCredentials = await anonymous.PostAsync(url, Ndjson([1]));
        using var wrongToken = await wrong.PostAsync(url, Ndjson([2]));
        using var wrongApiKey = await wrongKey.PostAsync(url, Ndjson([3]));
        using var tokenAccepted = await byToken.PostAsync(url, Ndjson([4]));
        using var keyAccepted = await byKey.PostAsync(url, Ndjson([5]));
        run.RequestStop();
        await run.Completion;

        Assert.Equal(HttpStatusCode.Unauthorized, noCredentials.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongApiKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tokenAccepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyAccepted.StatusCode);
        Assert.Equal([4, 5], probe.Records.Select(r => Json.Id(r.Value.Span)));
        foreach (var response in new[] { noCredentials, wrongToken, wrongApiKey, tokenAccepted, keyAccepted })
        {
            var answer = response.Headers + "\n" + await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(Token, answer, StringComparison.Ordinal);
            Assert.DoesNotContain("key-canary-4711", answer, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Token, source.Options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("key-canary-4711", source.Options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_RequestsNotYetRead_Answered503SoTheClientSendsThemAgain()
    {
        var source = NewSource();
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => Json.Id(r.Value.Span), gated: true);
        var run = Pipeline.From(source, Options with { MaxInFlightRecords = 16 }).To(probe).Build().Start();
        var url = await AddressAsync(source);
        using var client = Client();
        var a = client.PostAsync(url, Ndjson(Enumerable.Range(0, 16)));
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Waiting > 0, run.Completion, TimeSpan.FromSeconds(30));
        var b = client.PostAsync(url, Ndjson(Enumerable.Range(16, 16)));
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => source.InFlightRecords == 32, run.Completion, TimeSpan.FromSeconds(30));
        var c = client.PostAsync(url, Ndjson(Enumerable.Range(32, 16)));
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => source.InFlightRecords == 48, run.Completion, TimeSpan.FromSeconds(30));

        run.RequestStop();
        probe.OpenGate();
        await run.Completion;

        Assert.Equal(HttpStatusCode.OK, (await a).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b).StatusCode);
        using var refused = await c;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal([.. Enumerable.Range(0, 32).Select(i => (long)i)], probe.Ids);
        Assert.Equal(0, source.InFlightRecords);
    }

    private static HttpServerSource NewSource(Func<HttpServerSourceOptions, HttpServerSourceOptions>? change = null)
    {
        var options = new HttpServerSourceOptions
        {
            Listen = "http://127.0.0.1:0",
            Path = "/in",
            MaxInFlightRecords = 64,
            Authentication = new HttpAuthentication { BearerToken = Token, ApiKey = "key-canary-4711" },
        };
        return new HttpServerSource(change is null ? options : change(options));
    }

    private static async Task<Uri> AddressAsync(HttpServerSource source)
    {
        for (var i = 0; i < 3000 && source.Address is null; i++)
        {
            await Task.Delay(5);
        }

        return source.Address ?? throw new TimeoutException("The server did not start.");
    }

    private static HttpClient Client()
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    private static ByteArrayContent Ndjson(IEnumerable<int> ids)
    {
        var content = new ByteArrayContent(Json.Ndjson(ids.Select(i => (long)i)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        return content;
    }

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
}
