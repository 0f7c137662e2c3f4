using DataWeaver.Connectors;
using DataWeaver.Connectors.Generator;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Testing.Tests.Contract;

/// <summary>
/// The generator against the source contract: record n has resume position n + 1, so a restart starts
/// (<see cref="GeneratorOptions.Start"/>) at what the engine committed.
/// </summary>
public sealed class GeneratorSourceContractTests : SourceContractTests<long>
{
    protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context)
    {
        var start = context.CommittedOffsets.GetValueOrDefault(0);
        return new(new GeneratorSource<long>(n => n, new GeneratorOptions { Start = start, Count = context.RecordCount - start }));
    }

    protected override long GetSequence(long record) => record;
}
