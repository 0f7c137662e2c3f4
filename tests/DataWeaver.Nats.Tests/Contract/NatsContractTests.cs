using DataWeaver.Connectors;
using DataWeaver.Nats.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using NATS.Client.JetStream.Models;

namespace DataWeaver.Nats.Tests.Contract;

/// <summary>The NATS source against the source contract: a JetStream stream read by a durable consumer bound to the suite's in-flight bound.</summary>
public sealed class NatsSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private NatsServer _server = null!;
    private NatsStreamFramework? _framework;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_framework is not null)
        {
            await _framework.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        _framework ??= await _server.FrameworkAsync(_server.Options(context.Secret));
        var stream = NatsNames.Token(context.UniqueName);
        if (context.Run == 0)
        {
            await _framework.JetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
            await _framework.PublishBatchAsync(context.RecordCount, _ => stream + ".in", i => NatsServer.Json(i), _ => null, stream, default);
        }

        // A new framework per run: a run's consumer leaves the group when the source closes.
        return new NatsSource(_framework, new NatsSourceOptions { Stream = stream, Durable = "contract", MaxAckPending = PipelineOptions.MaxInFlightRecords });
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => NatsServer.Id(record.Value.Span);
}

/// <summary>The NATS sink against the sink contract: read back from the stream; broken by stopping the server.</summary>
public sealed class NatsSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private NatsServer _server = null!;
    private NatsStreamFramework? _framework;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_framework is not null)
        {
            await _framework.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        _framework ??= await _server.FrameworkAsync(_server.Options(context.Secret));
        await _framework.CreateStreamAsync(context.UniqueName);
        return new NatsSink(_framework, new NatsSinkOptions { Subject = NatsNames.Subject(_framework.Options, context.UniqueName, 0) });
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, NatsServer.Json(sequence), null, default, default);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        await StreamReadBack.ReadAllAsync(_framework!, context.UniqueName, cancellationToken);

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => NatsServer.Id(record.Value.Span);
}
