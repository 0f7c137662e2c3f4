using DataWeaver.Pipelines;
using DataWeaver.RabbitMq.Tests.Support;

namespace DataWeaver.RabbitMq.Tests.Docs;

/// <summary>The code of docs/rabbitmq.md, run.</summary>
public sealed class RabbitMqDocsExamples
{
    [Fact]
    public async Task Relay_DocsExample_EveryOrderInTheOutputQueue()
    {
        await RabbitMqBroker.CreateQueueAsync("dw-docs-orders");
        await RabbitMqBroker.CreateQueueAsync("dw-docs-paid");
        await RabbitMqBroker.PublishAsync("dw-docs-orders", Enumerable.Range(0, 50).Select(i => RabbitMqBroker.Json(i)));

        // snippet: rabbitmq-relay
        var broker = new RabbitMqConnectionOptions { HostName = "127.0.0.1" };
        var options = new PipelineOptions { MaxInFlightRecords = 4_096, CommitInterval = TimeSpan.Zero };
        var run = RabbitMqPipelineExtensions
            .FromRabbitMq(new RabbitMqSourceOptions { Connection = broker, Queue = "dw-docs-orders" }, options)   // prefetch: 4,096
            .ToRabbitMq(new RabbitMqSinkOptions { Connection = broker, RoutingKey = "dw-docs-paid" })             // default exchange
            .Build()
            .Start();
        // end snippet
        var start = DateTime.UtcNow;
        while (await RabbitMqBroker.ReadyAsync("dw-docs-paid") < 50 && DateTime.UtcNow - start < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        await run.StopAsync();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), (await RabbitMqBroker.ReadAllAsync("dw-docs-paid")).Select(b => RabbitMqBroker.Id(b)));
    }
}
