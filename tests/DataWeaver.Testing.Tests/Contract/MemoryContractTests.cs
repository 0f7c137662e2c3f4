using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Testing.Tests.Contract;

/// <summary>
/// The in-memory source against the source contract. It keeps no checkpoint of its own: a restart starts after what the
/// engine committed (<see cref="CollectionSource{T}.StartAfter"/>), as an application that persists it would.
/// </summary>
public sealed class CollectionSourceContractTests : SourceContractTests<long>
{
    protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context)
    {
        var records = Enumerable.Range(0, context.RecordCount).Select(i => (long)i).ToArray();
        return new(new CollectionSource<long>(records) { StartAfter = context.CommittedOffsets.GetValueOrDefault(0) });
    }

    protected override long GetSequence(long record) => record;
}

/// <summary>The in-memory sink against the sink contract: what it holds is what it wrote; a restart writes to the same collection.</summary>
public sealed class CollectionSinkContractTests : SinkContractTests<long>
{
    private CollectionSink<long>? _sink;

    protected override ValueTask<SinkConnector<long>> CreateSinkAsync(ContractContext context) => new(_sink ??= new CollectionSink<long>());

    protected override long CreateRecord(long sequence, ContractContext context) => sequence;

    protected override ValueTask<IReadOnlyList<long>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        new(_sink?.Records ?? []);

    protected override long GetSequence(long record) => record;
}
