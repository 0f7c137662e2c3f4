namespace DataWeaver.Configuration.Tests.Factory;

/// <summary>
/// <c>metadata: true</c> on a source of messages and <c>key:</c>/<c>headers:</c> on a sink of messages, over the in-process
/// framework (the Kafka tests run the same on the mock cluster).
/// </summary>
public sealed class MessageMetadataTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dw-meta-").FullName;

    [Fact]
    public async Task StreamSourceWithMetadata_SinkSetKeyAndHeaders_TransformsReadThemAndSinksNeverWriteMeta()
    {
        var output = Path.Combine(folder, "read.jsonl");
        var text = $$"""
            version: 1
            pipelines:
              - name: produce
                source: { type: memory, settings: { records: [ { id: 1, customer: c1, trace: t1 }, { id: 2, customer: c2 } ] } }
                sinks:
                  - type: stream
                    key: customer
                    headers: { traceparent: "{trace}", kind: "order-{id}" }
                    settings: { topic: orders }
              - name: read
                source: { type: stream, metadata: true, settings: { topic: orders, group: g } }
                transforms:
                  - set: { field: key, from: $meta.key }
                  - set: { field: trace, template: "{$meta.headers.traceparent}" }
                  - set: { field: kind, from: $meta.headers.kind }
                  - set: { field: at, template: "{$meta.topic}/{$meta.partition}/{$meta.offset}" }
                sinks:
                  - { type: json-lines-file, settings: { path: "{{output.Replace("\\", "/", StringComparison.Ordinal)}}", append: true } }
            """;
        await using var manager = new PipelineManager();
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(text, "meta.yaml"));
        await manager.StartPipeline("produce").Completion;
        manager.StartPipeline("read");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!File.Exists(output) || File.ReadAllLines(output).Length < 2)
        {
            await Task.Delay(50, timeout.Token);
        }

        await manager.StopPipelineAsync("read");

        Assert.Equal(
            [
                """{"id":1,"customer":"c1","trace":"t1","key":"c1","kind":"order-1","at":"orders/0/0"}""",
                """{"id":2,"customer":"c2","key":"c2","trace":"","kind":"order-2","at":"orders/0/1"}""",
            ],
            File.ReadAllLines(output));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
