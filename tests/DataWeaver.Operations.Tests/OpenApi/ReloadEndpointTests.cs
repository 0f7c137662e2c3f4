using System.Text.Json;
using DataWeaver.Lifecycle;

namespace DataWeaver.Operations.Tests.OpenApi;

/// <summary><c>POST /reload</c> against its OpenAPI description: applied (200), an invalid file (422 problem), a stopping run (409 problem), no definition file (501 problem).</summary>
public sealed class ReloadEndpointTests
{
    [Fact]
    public async Task Reload_EveryOutcome_AnswersTheDocumentedStatusAndSchema()
    {
        var results = new Queue<ReloadResult>(
        [
            new ReloadResult { Restarted = ["orders"], Added = ["audit"], Removed = ["old"], Unchanged = ["ticks"] },
            new ReloadResult { Error = "pipeline.yaml:7:9: pipelines[0].transforms[0]: unknown transform 'sett'", IsInvalidDefinition = true },
            new ReloadResult { Error = "the run is stopping or has ended; nothing was reloaded" },
        ]);
        var operated = new OperatedPipelines(() => Array.Empty<PipelineHost>()) { Reload = _ => Task.FromResult(results.Dequeue()) };
        await using var server = await OperationsServer.StartAsync("127.0.0.1:0", operated);
        using var http = new HttpClient { BaseAddress = server.Address };
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi.json")).RootElement;
        var responses = document.GetProperty("paths").GetProperty("/reload").GetProperty("post").GetProperty("responses");

        async Task<JsonElement> PostAsync(int expectedStatus, string expectedType)
        {
            using var response = await http.PostAsync("/reload", null);
            Assert.Equal(expectedStatus, (int)response.StatusCode);
            Assert.Equal(expectedType, response.Content.Headers.ContentType?.MediaType);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            var schema = responses.GetProperty(expectedStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("content").GetProperty(expectedType).GetProperty("schema");
            Assert.Empty(JsonSchemaCheck.Check(document, schema, body));
            return body;
        }

        var applied = await PostAsync(200, "application/json");
        var invalid = await PostAsync(422, "application/problem+json");
        var stopping = await PostAsync(409, "application/problem+json");

        Assert.Equal(["orders"], applied.GetProperty("restarted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ticks"], applied.GetProperty("unchanged").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("urn:dataweaver:problem:invalid-definition", invalid.GetProperty("type").GetString());
        Assert.Contains("unknown transform 'sett'", invalid.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("urn:dataweaver:problem:invalid-state", stopping.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Reload_NoDefinitionFile_Answers501Problem()
    {
        await using var server = await OperationsServer.StartAsync("127.0.0.1:0", new OperatedPipelines(() => Array.Empty<PipelineHost>()));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var response = await http.PostAsync("/reload", null);

        Assert.Equal(501, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("urn:dataweaver:problem:reload-unavailable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
