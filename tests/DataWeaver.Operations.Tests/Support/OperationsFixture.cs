using System.Net.Http.Json;
using System.Text.Json;
using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Operations.Tests.Support;

/// <summary>One endless pipeline (numbers into a collection) on a <see cref="PipelineHost"/>, behind a real operations server on loopback.</summary>
public sealed class OperationsFixture : IAsyncDisposable
{
    private OperationsFixture(PipelineHost host, ResumableNumberSource source, CollectionSink<long> sink, OperationsServer server, HttpClient http)
    {
        Host = host;
        Source = source;
        Sink = sink;
        Server = server;
        Http = http;
    }

    public PipelineHost Host { get; }

    public ResumableNumberSource Source { get; }

    public CollectionSink<long> Sink { get; }

    public OperationsServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<OperationsFixture> StartAsync(string name = "orders", OperationsOptions? options = null, bool start = true)
    {
        var source = new ResumableNumberSource();
        var sink = new CollectionSink<long>("collected");
        var host = new PipelineHost(name, () => Pipeline.From(source, new PipelineOptions { Name = name, BatchSize = 256, MaxInFlightRecords = 4096 }).Map(x => x).To(sink).Build());
        var server = await OperationsServer.StartAsync("127.0.0.1:0", new OperatedPipelines([host]), options);
        if (start)
        {
            host.Start();
        }

        return new OperationsFixture(host, source, sink, server, new HttpClient { BaseAddress = server.Address, Timeout = Wait.Guard });
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async Task<(int Status, JsonElement Body, string? ContentType)> PostAsync(string path)
    {
        using var response = await Http.PostAsync(path, content: null);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync();
        await Server.DisposeAsync();
    }
}
