using DataWeaver.Brokers.Harness;
using DataWeaver.Connectors;
using DataWeaver.RabbitMq.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;
using Xunit.Abstractions;

namespace DataWeaver.RabbitMq.Tests.Contract;

/// <summary>
/// The RabbitMQ source against the source contract: one queue per test; a restart is a new consumer that gets the unacknowledged
/// messages again. The kill test SIGKILLs the broker harness (tests/DataWeaver.Brokers.Harness: queue -> JSON-lines file).
/// </summary>
public sealed class RabbitMqSourceContractTests(ITestOutputHelper log) : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var queue = Queue(context);
        if (context.Run == 0)
        {
            await RabbitMqBroker.CreateQueueAsync(queue);
            await RabbitMqBroker.PublishAsync(queue, Enumerable.Range(0, context.RecordCount).Select(i => RabbitMqBroker.Json(i)));
        }

        return Source(context, queue);
    }

    /// <summary>Oversized messages (above MaxMessageBytes) among the good ones: the n-th delivery of the first channel has delivery tag n.</summary>
    protected override async ValueTask<PoisonInput<Record<ReadOnlyMemory<byte>>>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var queue = Queue(context) + "-poison";
        await RabbitMqBroker.CreateQueueAsync(queue);
        var bodies = new List<byte[]>();
        var poison = new List<PoisonRecord>();
        for (var i = 0; i < context.RecordCount; i++)
        {
            if (i % 100 == 50)
            {
                var big = new byte[300];
                Array.Fill(big, (byte)'x');
                big[0] = (byte)(i % 256);
                bodies.Add(big);
                poison.Add(new PoisonRecord(big, new SourcePosition(0, bodies.Count)));
            }

            bodies.Add(RabbitMqBroker.Json(i));
        }

        await RabbitMqBroker.PublishAsync(queue, bodies);
        return new PoisonInput<Record<ReadOnlyMemory<byte>>>(Source(context, queue), poison);
    }

    /// <summary>The harness consumes a queue holding <see cref="BrokerCrashOptions.Records"/> messages with a prefetch of its in-flight bound.</summary>
    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        var queue = Queue(context) + "-crash";
        await RabbitMqBroker.CreateQueueAsync(queue);
        var options = new BrokerCrashOptions { Log = log.WriteLine };
        await RabbitMqBroker.PublishAsync(queue, BrokerCrash.Input(options.Records));
        return BrokerCrash.Scenario(context.Directory, "rabbitmq", ["host=127.0.0.1", "port=5672", "queue=" + queue], options);
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => RabbitMqBroker.Id(record.Value.Span);

    private static string Queue(ContractContext context) => "contract-" + context.UniqueName;

    private static RabbitMqSource Source(ContractContext context, string queue) => new(new RabbitMqSourceOptions
    {
        Connection = RabbitMqBroker.Connection("contract-" + context.Secret),
        Queue = queue,
        PrefetchCount = 64,
        MaxMessageBytes = 200,
    });
}

/// <summary>The RabbitMQ sink against the sink contract: publishes to a direct exchange bound to the test's queue; broken by unbinding it (mandatory returns).</summary>
public sealed class RabbitMqSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        var queue = Queue(context);
        if (context.Run == 0)
        {
            await RabbitMqBroker.CreateQueueAsync(queue, exchange: queue);
        }

        return new RabbitMqSink(new RabbitMqSinkOptions { Connection = RabbitMqBroker.Connection("contract-" + context.Secret), Exchange = queue, RoutingKey = queue });
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, RabbitMqBroker.Json(sequence), null, default, default);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        [.. (await RabbitMqBroker.ReadAllAsync(Queue(context), cancellationToken)).Select(body => new Record<ReadOnlyMemory<byte>>(default, body, null, default, default))];

    protected override async ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        var queue = Queue(context);
        await RabbitMqBroker.BindAsync(queue, queue, bind: false);
        return new Repair(() => RabbitMqBroker.BindAsync(queue, queue, bind: true));
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => RabbitMqBroker.Id(record.Value.Span);

    private static string Queue(ContractContext context) => "contract-sink-" + context.UniqueName;

    private sealed class Repair(Func<Task> repair) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await repair();
    }
}
