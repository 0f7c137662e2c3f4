using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.Http.Tests.Client;

/// <summary>OAuth2 client credentials for real: a local token endpoint issues the tokens, the resource server takes only the current one.</summary>
public sealed class HttpSinkOAuth2Tests
{
    private const string ClientSecret = "oauth-canary-secret-9911";

    [Fact]
    public async Task Write_OAuth2_TokenFetchedOnceKeptAndFetchedAgainOnlyAfterA401()
    {
        await using var tokens = await TokenServer.StartAsync("weaver", ClientSecret);
        await using var server = await RecordingServer.StartAsync();
        var seen = 0;
        server.Authorize = authorization =>
        {
            if (Interlocked.Increment(ref seen) == 6)
            {
                tokens.Revoke(); // the sixth request meets a revoked token
            }

            return tokens.Accepts(authorization);
        };

        var sink = Sink(server, tokens, ClientSecret, maxConcurrency: 4);
        await RunAsync(sink, 400);

        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), server.Ids.Order());
        Assert.Equal(2, tokens.Issued); // one at the start, one after the revocation, however many requests were in flight
        Assert.Equal("ingest:write", tokens.LastScope);
        Assert.True(server.Requests > 6, "Too few requests: the test proved nothing.");
        Assert.DoesNotContain(ClientSecret, sink.Options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_OAuth2TokenExpiresAtOnce_ANewTokenForEveryRequest()
    {
        await using var tokens = await TokenServer.StartAsync("weaver", ClientSecret);
        tokens.ExpiresIn = 0;
        await using var server = await RecordingServer.StartAsync();
        server.Authorize = tokens.Accepts;

        await RunAsync(Sink(server, tokens, ClientSecret, maxConcurrency: 1), 100);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), server.Ids);
        Assert.Equal(server.Requests, tokens.Issued);
    }

    [Fact]
    public async Task Write_OAuth2WrongSecret_RunFailsFatalNamingTheTokenEndpointWithoutTheSecret()
    {
        await using var tokens = await TokenServer.StartAsync("weaver", ClientSecret);
        await using var server = await RecordingServer.StartAsync();
        var wrong = ClientSecret + "-wrong";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(Sink(server, tokens, wrong, maxConcurrency: 1), 10));

        var failure = error as DataWeaverException ?? error.InnerException as DataWeaverException ?? Assert.IsType<DataWeaverException>(error.GetBaseException());
        Assert.Equal(ErrorClass.Fatal, failure.ErrorClass);
        Assert.Contains("refused the client credentials of 'weaver' with 401", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
        Assert.True(tokens.Refused >= 1);
    }

    private static HttpSink Sink(RecordingServer server, TokenServer tokens, string secret, int maxConcurrency) => new(new HttpSinkOptions
    {
        Url = server.Url.ToString(),
        MaxBatchRecords = 10,
        MaxConcurrency = maxConcurrency,
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(10),
        Authentication = new HttpAuthentication
        {
            OAuth2 = new HttpOAuth2ClientCredentials { TokenUrl = tokens.Url.ToString(), ClientId = "weaver", ClientSecret = secret, Scope = "ingest:write" },
        },
    });

    private static async Task RunAsync(HttpSink sink, int count)
    {
        var records = Enumerable.Range(0, count).Select(i => new Record<ReadOnlyMemory<byte>>(default, Json.Record(i), null, default, default)).ToList();
        var run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { BatchSize = 100 }).To(sink).Build().Start();
        await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
