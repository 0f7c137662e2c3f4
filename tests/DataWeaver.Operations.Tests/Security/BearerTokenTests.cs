using System.Net;
using System.Net.Http.Headers;
using DataWeaver.Operations.Tests.Support;

namespace DataWeaver.Operations.Tests.Security;

public sealed class BearerTokenTests
{
    private const string Token = "s3cret-operations-token";

    [Fact]
    public async Task Api_TokenConfigured_OnlyTheRightBearerPassesAndMetricsAndHealthStayOpen()
    {
        await using var ops = await OperationsFixture.StartAsync(options: new OperationsOptions { BearerToken = Token });

        using var none = await ops.Http.GetAsync("/api/pipelines");
        using var wrong = await SendAsync(ops.Http, HttpMethod.Post, "/api/pipelines/orders/stop", "not-it");
        using var right = await SendAsync(ops.Http, HttpMethod.Get, "/api/pipelines", Token);
        using var metrics = await ops.Http.GetAsync("/metrics");
        using var live = await ops.Http.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.True(PipelineIsActive(ops));                             // the unauthorized stop did nothing
        Assert.DoesNotContain(Token, await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("\"name\":\"orders\"", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task MetricsAndHealth_ProtectMetricsAndHealth_NeedTheTokenToo()
    {
        await using var ops = await OperationsFixture.StartAsync(options: new OperationsOptions { BearerToken = Token, ProtectMetricsAndHealth = true });

        using var metrics = await ops.Http.GetAsync("/metrics");
        using var ready = await ops.Http.GetAsync("/health/ready");
        using var metricsWithToken = await SendAsync(ops.Http, HttpMethod.Get, "/metrics", Token);

        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metricsWithToken.StatusCode);
    }

    private static bool PipelineIsActive(OperationsFixture ops) => Lifecycle.PipelineStates.IsActive(ops.Host.State);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
