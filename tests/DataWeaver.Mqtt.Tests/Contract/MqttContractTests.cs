using DataWeaver.Brokers.Harness;
using DataWeaver.Connectors;
using DataWeaver.Mqtt.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;
using Xunit.Abstractions;

namespace DataWeaver.Mqtt.Tests.Contract;

/// <summary>
/// The MQTT source against the source contract (MQTT 5): one topic and one persistent session per test; a restart resumes the
/// session. The kill test SIGKILLs the broker harness (tests/DataWeaver.Brokers.Harness: topic -> JSON-lines file).
/// </summary>
public class MqttSourceContractTests(ITestOutputHelper log) : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected virtual MqttVersion Version => MqttVersion.V5;

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var topic = "contract/" + context.UniqueName;
        if (context.Run == 0)
        {
            await MqttBroker.CreateSessionAsync(ClientId(context), [topic], Version);
            await MqttBroker.PublishAsync(topic, Enumerable.Range(0, context.RecordCount).Select(i => MqttBroker.Json(i)));
        }

        return Source(context, topic, ClientId(context));
    }

    protected override async ValueTask<PoisonInput<Record<ReadOnlyMemory<byte>>>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var topic = "contract/" + context.UniqueName + "/poison";
        var clientId = ClientId(context) + "-p";
        await MqttBroker.CreateSessionAsync(clientId, [topic], Version);
        var payloads = new List<byte[]>();
        var poison = new List<PoisonRecord>();
        for (var i = 0; i < context.RecordCount; i++)
        {
            if (i % 100 == 50)
            {
                var big = Enumerable.Repeat((byte)'x', 300).ToArray();
                payloads.Add(big);
                poison.Add(new PoisonRecord(big, new SourcePosition(0, payloads.Count)));
            }

            payloads.Add(MqttBroker.Json(i));
        }

        await MqttBroker.PublishAsync(topic, payloads);
        return new PoisonInput<Record<ReadOnlyMemory<byte>>>(Source(context, topic, clientId), poison);
    }

    /// <summary>The harness resumes a persistent session that holds <see cref="BrokerCrashOptions.Records"/> messages, with a receive maximum of its in-flight bound.</summary>
    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        var topic = "contract/" + context.UniqueName + "/crash";
        var clientId = ClientId(context) + "-k";
        await MqttBroker.CreateSessionAsync(clientId, [topic], Version);
        var options = new BrokerCrashOptions { Log = log.WriteLine };
        await MqttBroker.PublishAsync(topic, BrokerCrash.Input(options.Records));
        return BrokerCrash.Scenario(
            context.Directory, "mqtt", ["host=127.0.0.1", "port=1883", "topic=" + topic, "client-id=" + clientId, "version=" + Version], options);
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => MqttBroker.Id(record.Value.Span);

    private static string ClientId(ContractContext context) => "dw-" + context.UniqueName;

    private MqttSource Source(ContractContext context, string topic, string clientId) => new(new MqttSourceOptions
    {
        Connection = MqttBroker.Connection(clientId, Version) with { UserName = "contract-" + context.Secret },
        Topics = [topic],
        MaxInFlight = 64,
        MaxMessageBytes = 200,
    });
}

/// <summary>The same contract over MQTT 3.1.1 (clean session off instead of session expiry).</summary>
public sealed class Mqtt311SourceContractTests(ITestOutputHelper log) : MqttSourceContractTests(log)
{
    protected override MqttVersion Version => MqttVersion.V311;
}

/// <summary>The MQTT sink against the sink contract: read back through a persistent session subscribed before the first write.</summary>
public sealed class MqttSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        if (context.Run == 0)
        {
            await MqttBroker.CreateSessionAsync(ReadBackId(context), [Topic(context)]);
        }

        return new MqttSink(new MqttSinkOptions { Connection = MqttBroker.Connection(null) with { UserName = "contract-" + context.Secret }, Topic = Topic(context) });
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, MqttBroker.Json(sequence), null, default, default);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        [.. (await MqttBroker.ReadAllAsync(ReadBackId(context), cancellationToken)).Select(m => new Record<ReadOnlyMemory<byte>>(default, m.Payload, null, default, default))];

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => MqttBroker.Id(record.Value.Span);

    private static string Topic(ContractContext context) => "contract-sink/" + context.UniqueName;

    private static string ReadBackId(ContractContext context) => "rb-" + context.UniqueName;
}
