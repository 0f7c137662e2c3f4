using System.Text;
using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.RabbitMq.Configuration;
using DataWeaver.RabbitMq.Tests.Support;

namespace DataWeaver.RabbitMq.Tests.Configuration;

/// <summary>The rabbitmq source and sink types of definition files: the example file runs, the password is a secret.</summary>
public sealed class RabbitMqDefinitionFileTests
{
    [Fact]
    public async Task ExampleFile_RelayPaidOrders_PaidOrdersInTheOutputQueue()
    {
        const string Input = "dw-example-orders-in";
        const string Output = "dw-example-orders-paid";
        await RabbitMqBroker.CreateQueueAsync(Input);
        await RabbitMqBroker.CreateQueueAsync(Output);
        await RabbitMqBroker.PublishAsync(Input, Enumerable.Range(0, 20).Select(i => Encoding.UTF8.GetBytes($$"""{"id":{{i}},"status":"{{(i % 2 == 0 ? "paid" : "open")}}"}""")));
        await using var manager = Manager();
        var file = Path.Combine(AppContext.BaseDirectory, "examples", "rabbitmq-relay.yaml");
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(File.ReadAllText(file), file, new PipelineLoadOptions { Registry = manager.Registry, Environment = _ => "guest" }));
        manager.StartPipeline("orders-relay");
        var start = DateTime.UtcNow;
        while (await RabbitMqBroker.ReadyAsync(Output) < 10 && DateTime.UtcNow - start < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        await manager.StopPipelineAsync("orders-relay");

        var ids = (await RabbitMqBroker.ReadAllAsync(Output)).Select(body => JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 2), ids);
        Assert.Equal(0u, await RabbitMqBroker.ReadyAsync(Input));
    }

    [Fact]
    public async Task Password_WrongSecret_RunFailsWithoutPrintingIt()
    {
        const string Secret = "wr0ng-canary-pw-4711";
        var queue = RabbitMqBroker.UniqueName("secret");
        await RabbitMqBroker.CreateQueueAsync(queue);
        var text = $$"""
            version: 1
            pipelines:
              - name: secret
                source: { type: rabbitmq, settings: { host: 127.0.0.1, queue: {{queue}}, password: "${secret:PW}" } }
                sinks: [ { type: discard } ]
            """;
        await using var manager = Manager();
        var definitions = PipelineDefinitionLoader.Parse(text, "secret.yaml", new PipelineLoadOptions { Registry = manager.Registry, Environment = _ => Secret });
        manager.CreatePipelines(definitions);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => manager.StartPipeline("secret").Completion);

        Assert.True(failure.ToString().Contains("user name or password", StringComparison.Ordinal), failure.ToString());
        Assert.DoesNotContain(Secret, failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, new RabbitMqConnectionOptions { Password = Secret }.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, new RabbitMqSourceOptions { Connection = new() { Password = Secret } }.ToString(), StringComparison.Ordinal);
    }

    private static PipelineManager Manager() => new(new PipelineManagerOptions { Registry = ConnectorRegistry.CreateDefault().AddRabbitMq() });
}
