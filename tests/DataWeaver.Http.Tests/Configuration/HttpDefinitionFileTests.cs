using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using DataWeaver.Configuration;
using DataWeaver.Http.Configuration;
using DataWeaver.Http.Tests.Support;

namespace DataWeaver.Http.Tests.Configuration;

/// <summary>The http source and sink types of definition files: the example file runs end to end, the token is a secret.</summary>
public sealed class HttpDefinitionFileTests
{
    private const string Token = "ingest-canary-token-9000";

    [Fact]
    public async Task ExampleFile_ClientsPostOrders_LargeOnesForwardedAndAnsweredOnceSent()
    {
        await using var orders = await RecordingServer.StartAsync();
        var listen = "http://127.0.0.1:" + FreePort();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
