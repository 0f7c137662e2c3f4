using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Tests.Support;

namespace DataWeaver.Testing.Tests.Contract;

/// <summary>The stream source over the in-process framework against the source contract: resumes from its group's committed offsets.</summary>
public sealed class InProcessStreamSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private readonly InProcessStreamFramework _framework = new();

    public Task InitializeAsync() => _framework.StartAsync().AsTask();

    public Task DisposeAsync() => _framework.DisposeAsync().AsTask();

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        if (context.Run == 0)
        {
            await _framework.CreateStreamAsync(context.UniqueName);
            var messages = Enumerable.Range(0, context.RecordCount).Select(i => new OutgoingMessage(ReadOnlyMemory<byte>.Empty, IdRecords.Json(i))).ToArray();
            await _framework.ProduceMessagesAsync(context.UniqueName, messages);
        }

        return new StreamSource(_framework, context.UniqueName, new StreamConsumerOptions { GroupId = context.UniqueName });
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => IdRecords.Id(record.Value.Span);
}

/// <summary>The stream sink over the in-process framework against the sink contract: read back as a new consumer group.</summary>
public sealed class InProcessStreamSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private readonly InProcessStreamFramework _framework = new();

    public Task InitializeAsync() => _framework.StartAsync().AsTask();

    public Task DisposeAsync() => _framework.DisposeAsync().AsTask();

    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        await _framework.CreateStreamAsync(context.UniqueName);
        return new StreamSink(_framework, context.UniqueName);
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) => IdRecords.Record(sequence);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        await StreamReadBack.ReadAllAsync(_framework, context.UniqueName, cancellationToken);

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => IdRecords.Id(record.Value.Span);
}

/// <summary>The in-process framework against the stream-framework contract (run beside Kafka and NATS JetStream).</summary>
public sealed class InProcessStreamFrameworkContractTests : StreamFrameworkContractTests
{
    protected override ValueTask<IStreamFramework> CreateFrameworkAsync() => new(new InProcessStreamFramework());
}
