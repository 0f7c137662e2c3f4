using System.Text;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.RabbitMq.Tests.Support;
using DataWeaver.Records;
using RabbitMQ.Client;

namespace DataWeaver.RabbitMq.Tests.Sink;

/// <summary>The RabbitMQ sink: routing key and headers from the record, unroutable messages fail the run (mandatory), quorum queues.</summary>
public sealed class RabbitMqSinkTests
{
    [Fact]
    public async Task Write_RecordKeyAndHeaders_BecomeRoutingKeyAndAmqpHeaders()
    {
        var queue = RabbitMqBroker.UniqueName("headers");
        await RabbitMqBroker.CreateQueueAsync(queue);
        var record = new Record<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(queue), RabbitMqBroker.Json(7), new RecordHeaders().Add("trace", "t-7"), default, default);
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([record])).ToRabbitMq(new RabbitMqSinkOptions { Connection = RabbitMqBroker.Connection() }).Build().RunAsync();

        await using var connection = await RabbitMqBroker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(message);
        Assert.Equal(queue, message.RoutingKey);
        Assert.Equal(7, RabbitMqBroker.Id(message.Body.Span));
        Assert.Equal("t-7", Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["trace"]!));
        Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
    }

    [Fact]
    public async Task Write_UnroutableMessage_RunFailsWithDataErrorNothingAcknowledged()
    {
        var exchange = RabbitMqBroker.UniqueName("unroutable");
        await using (var connection = await RabbitMqBroker.ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: false, autoDelete: true);
        }

        var source = new CollectionSource<Record<ReadOnlyMemory<byte>>>([new(default, RabbitMqBroker.Json(1), null, default, default)]);
        var run = Pipeline.From(source).ToRabbitMq(new RabbitMqSinkOptions { Connection = RabbitMqBroker.Connection(), Exchange = exchange, RoutingKey = "nobody" }).Build().Start();

        var failure = await Assert.ThrowsAnyAsync<DataWeaverException>(() => run.Completion);
        Assert.Contains("unroutable", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(run.AcknowledgedPositions, p => p.Offset > 0);
    }

    [Fact]
    public async Task Write_QuorumQueueDeclared_EveryRecordConfirmedAndReadable()
    {
        var queue = RabbitMqBroker.UniqueName("quorum");
        var records = Enumerable.Range(0, 100).Select(i => new Record<ReadOnlyMemory<byte>>(default, RabbitMqBroker.Json(i), null, default, default)).ToList();
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records))
            .ToRabbitMq(new RabbitMqSinkOptions { Connection = RabbitMqBroker.Connection(), RoutingKey = queue, DeclareQueue = queue, QueueType = "quorum" })
            .Build().RunAsync();

        var read = await RabbitMqBroker.ReadAllAsync(queue);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), read.Select(body => RabbitMqBroker.Id(body)));
    }
}
