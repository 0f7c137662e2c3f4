using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DataWeaver.Configuration;
using DataWeaver.Http.Configuration;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Testing.Crash;

namespace DataWeaver.Http.Tests.Configuration;

/// <summary>The http source and sink types of definition files: the example file runs end to end, the token is a secret.</summary>
public sealed class HttpDefinitionFileTests
{
    private const string Token = "ingest-canary-token-9000";

    [Fact]
    public async Task ExampleFile_ClientsPostOrders_LargeOnesForwardedAndAnsweredOnceSent()
    {
        await using var orders = await RecordingServer.StartAsync();
        var listen = "http://127.0.0.1:" + ChildProcesses.FreePort();
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = ConnectorRegistry.CreateDefault().AddHttp() });
        var file = Path.Combine(AppContext.BaseDirectory, "examples", "http-ingest.yaml");
        var environment = new Dictionary<string, string> { ["HTTP_LISTEN"] = listen, ["ORDERS_URL"] = orders.Url.ToString(), ["INGEST_TOKEN"] = Token };
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(File.ReadAllText(file), file, new PipelineLoadOptions { Registry = manager.Registry, Environment = name => environment.GetValueOrDefault(name) }));
        manager.StartPipeline("ingest-orders");
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var body = string.Join("\n", Enumerable.Range(0, 10).Select(i => $$"""{"id":{{i}},"large":{{(i % 3 == 0 ? "true" : "false")}}}"""));

        HttpResponseMessage? response = null;
        for (var attempt = 0; attempt < 200 && response is null; attempt++)
        {
            try
            {
                response = await client.PostAsync(listen + "/orders", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
            }
            catch (HttpRequestException)
            {
                await Task.Delay(25); // the pipeline is still starting
            }
        }

        using var unauthorized = await new HttpClient().PostAsync(listen + "/orders", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        await manager.StopPipelineAsync("ingest-orders");

        Assert.Equal(HttpStatusCode.OK, response!.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal([0, 3, 6, 9], orders.Ids); // answered 200 after the sink's POST went through
        Assert.DoesNotContain(Token, manager.Registry.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollExampleFile_TwoRuns_EveryItemOnceInTheOutput()
    {
        await using var items = await PagesServer.StartAsync(45, 10);
        items.Token = Token;
        var directory = Directory.CreateTempSubdirectory("dw-http-poll-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["ITEMS_URL"] = items.Url.ToString(), ["STATE_DIR"] = Path.Combine(directory, "state"), ["OUTPUT_DIR"] = directory, ["API_TOKEN"] = Token };
            var output = Path.Combine(directory, "items.jsonl");
            await RunPollExampleUntilAsync(environment, () => File.Exists(output) && File.ReadAllLines(output).Length >= 45);
            items.Add(15);
            await RunPollExampleUntilAsync(environment, () => File.ReadAllLines(output).Length >= 60);

            Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), File.ReadAllLines(output).Select(line => Json.Id(Encoding.UTF8.GetBytes(line))));
            Assert.DoesNotContain(Token, string.Concat(Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunPollExampleUntilAsync(Dictionary<string, string> environment, Func<bool> done)
    {
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = ConnectorRegistry.CreateDefault().AddHttp() });
        var file = Path.Combine(AppContext.BaseDirectory, "examples", "http-poll.yaml");
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(File.ReadAllText(file), file, new PipelineLoadOptions { Registry = manager.Registry, Environment = name => environment.GetValueOrDefault(name) }));
        manager.StartPipeline("poll-items");
        for (var i = 0; i < 600 && !done(); i++)
        {
            await Task.Delay(50);
        }

        await manager.StopPipelineAsync("poll-items");
    }
}
