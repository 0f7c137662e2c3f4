using System.Text.Json;
using DataWeaver.Operations.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DataWeaver.Operations.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task OpenApi_ServedDocument_ListsExactlyTheEndpointsTheServerMaps()
    {
        await using var ops = await OperationsFixture.StartAsync();
        var document = await ops.GetJsonAsync("/openapi.json");

        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var mapped = ops.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(documented, mapped);
        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task OpenApi_RealResponsesThroughALifecycle_MatchTheDocumentedStatusesAndSchemas()
    {
        await using var ops = await OperationsFixture.StartAsync();
        await Wait.UntilAsync(() => ops.Sink.Count > 1_000, "records flow");
        var document = await ops.GetJsonAsync("/openapi.json");
        var errors = new List<string>();

        async Task CheckAsync(string method, string template, string path)
        {
            using var response = await ops.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var operation = document.GetProperty("paths").GetProperty(template).GetProperty(method.ToLowerInvariant());
            if (!operation.GetProperty("responses").TryGetProperty(status, out var documented))
            {
                errors.Add($"{method} {path}: status {status} is not documented");
                return;
            }

            var contentType = response.Content.Headers.ContentType?.MediaType ?? "(none)";
            if (!documented.GetProperty("content").TryGetProperty(contentType, out var content))
            {
                errors.Add($"{method} {path}: content type {contentType} is not documented for {status}");
                return;
            }

            if (contentType.EndsWith("json", StringComparison.Ordinal))
            {
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                errors.AddRange(JsonSchemaCheck.Check(document, content.GetProperty("schema"), body, $"{method} {path} {status}"));
            }
        }

        await CheckAsync("GET", "/metrics", "/metrics");
        await CheckAsync("GET", "/health/live", "/health/live");
        await CheckAsync("GET", "/health/ready", "/health/ready");
        await CheckAsync("GET", "/api/pipelines", "/api/pipelines");
        await CheckAsync("GET", "/api/pipelines/{name}", "/api/pipelines/orders");
        await CheckAsync("GET", "/api/pipelines/{name}", "/api/pipelines/missing");
        await CheckAsync("POST", "/api/pipelines/{name}/pause", "/api/pipelines/orders/pause");
        await CheckAsync("GET", "/health/ready", "/health/ready");                     // 503 while paused
        await CheckAsync("POST", "/api/pipelines/{name}/resume", "/api/pipelines/orders/resume");
        await CheckAsync("POST", "/api/pipelines/{name}/restart", "/api/pipelines/orders/restart");
        await CheckAsync("POST", "/api/pipelines/{name}/stop", "/api/pipelines/orders/stop");
        await CheckAsync("POST", "/api/pipelines/{name}/resume", "/api/pipelines/orders/resume"); // 409
        await CheckAsync("GET", "/api/pipelines/{name}", "/api/pipelines/orders");                // ended: lastError null, graph kept
        await CheckAsync("POST", "/reload", "/reload");                                          // 501: no definition file
        await CheckAsync("GET", "/openapi.json", "/openapi.json");

        Assert.Empty(errors);
    }
}
