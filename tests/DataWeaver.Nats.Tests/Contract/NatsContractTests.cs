using DataWeaver.Brokers.Harness;
using DataWeaver.Connectors;
using DataWeaver.Nats.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;
using NATS.Client.JetStream.Models;
using Xunit.Abstractions;

namespace DataWeaver.Nats.Tests.Contract;

/// <summary>
/// The NATS source against the source contract: a JetStream stream read by a durable consumer bound to the suite's in-flight
/// bound. The kill test SIGKILLs the broker harness (tests/DataWeaver.Brokers.Harness: stream -> JSON-lines file).
/// </summary>
public sealed class NatsSourceContractTests(ITestOutputHelper log) : SourceContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private readonly NatsContractServer _nats = new();

    public Task InitializeAsync() => _nats.StartAsync();

    public Task DisposeAsync() => _nats.DisposeAsync();

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var framework = await _nats.FrameworkAsync(context);
        var stream = NatsNames.Token(context.UniqueName);
        if (context.Run == 0)
        {
            await framework.JetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
            await framework.PublishBatchAsync(context.RecordCount, _ => stream + ".in", i => NatsServer.Json(i), _ => null, stream, default);
        }

        return new NatsSource(framework, new NatsSourceOptions { Stream = stream, Durable = "contract", MaxAckPending = PipelineOptions.MaxInFlightRecords });
    }

    /// <summary>The harness reads a stream holding <see cref="BrokerCrashOptions.Records"/> messages as a durable consumer whose max_ack_pending is its in-flight bound.</summary>
    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        var framework = await _nats.FrameworkAsync(context);
        var stream = NatsNames.Token(context.UniqueName) + "_crash";
        var options = new BrokerCrashOptions { Log = log.WriteLine };
        var input = BrokerCrash.Input(options.Records).ToArray();
        await framework.JetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
        await framework.PublishBatchAsync(input.Length, _ => stream + ".in", i => input[i], _ => null, stream, default);
        return BrokerCrash.Scenario(context.Directory, "nats", ["url=" + _nats.Server.Url, "stream=" + stream, "durable=harness"], options);
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => NatsServer.Id(record.Value.Span);
}

/// <summary>The NATS sink against the sink contract: read back from the stream; broken by stopping the server.</summary>
public sealed class NatsSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private readonly NatsContractServer _nats = new();

    public Task InitializeAsync() => _nats.StartAsync();

    public Task DisposeAsync() => _nats.DisposeAsync();

    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        var framework = await _nats.FrameworkAsync(context);
        await framework.CreateStreamAsync(context.UniqueName);
        return new NatsSink(framework, new NatsSinkOptions { Subject = NatsNames.Subject(framework.Options, context.UniqueName, 0) });
    }

    /// <summary>The server stops (publishes time out); the repair starts it again on its store.</summary>
    protected override async ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        await _nats.Server.StopAsync();
        return new Repair(_nats.Server);
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, NatsServer.Json(sequence), null, default, default);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        await StreamReadBack.ReadAllAsync(await _nats.FrameworkAsync(context), context.UniqueName, cancellationToken);

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => NatsServer.Id(record.Value.Span);
}

/// <summary>A server per test class and one framework on it whose client name carries the test's canary secret (declared secret).</summary>
internal sealed class NatsContractServer
{
    private NatsServer? _server;
    private NatsStreamFramework? _framework;

    public NatsServer Server => _server!;

    public async Task StartAsync() => _server = await NatsServer.StartAsync();

    public async Task<NatsStreamFramework> FrameworkAsync(ContractContext context) =>
        _framework ??= await _server!.FrameworkAsync(_server.Options(context.Secret) with { OperationTimeout = TimeSpan.FromSeconds(3) });

    public async Task DisposeAsync()
    {
        if (_framework is not null)
        {
            await _framework.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Starts a stopped server again.</summary>
internal sealed class Repair(NatsServer server) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await server.RestartAsync();
}
