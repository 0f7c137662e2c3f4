using DataWeaver.Configuration.Files;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Serialization.Json;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Formats.Tests.Contract;

/// <summary>The <c>file</c> source in one format against the source contract: its checkpoints in the context's store.</summary>
public abstract class FileSourceContractTests : SourceContractTests<JsonRecord>
{
    private protected abstract FileFormatCase Case { get; }

    protected override async ValueTask<SourceConnector<JsonRecord>> CreateSourceAsync(ContractContext context)
    {
        var path = Path.Combine(context.Directory, "input" + Case.Extension);
        if (context.Run == 0)
        {
            await Case.WriteInputAsync(context.Directory, path, context.RecordCount);
        }

        var source = Case.Source(context.Directory, path);
        return new FileSource(source.Path, source.Options with { CheckpointStore = context.Checkpoints });
    }

    protected override long GetSequence(JsonRecord record) => Case.Id(record);
}

/// <summary>The <c>file</c> sink in one format against the sink contract, appending (the mode behind a checkpointed source) where the format can.</summary>
public abstract class FileSinkContractTests : SinkContractTests<JsonRecord>
{
    private protected abstract FileFormatCase Case { get; }

    protected override bool KeepsOutputAcrossRuns => Case.CanAppend;

    protected override ValueTask<SinkConnector<JsonRecord>> CreateSinkAsync(ContractContext context) =>
        new(Case.Sink(context.Directory, Output(context), append: Case.CanAppend));

    protected override JsonRecord CreateRecord(long sequence, ContractContext context) => Case.Record(sequence);

    /// <summary>A replacing sink's durable output is its run's temporary file while the run writes, the target after it.</summary>
    protected override async ValueTask<IReadOnlyList<JsonRecord>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
    {
        var writing = SafeFileWriter.TemporaryPathFor(Output(context));
        var ids = await Case.ReadIdsAsync(context.Directory, !Case.CanAppend && File.Exists(writing) ? writing : Output(context));
        return [.. ids.Select(Case.Record)];
    }

    protected override long GetSequence(JsonRecord record) => Case.Id(record);

    private string Output(ContractContext context) => Path.Combine(context.Directory, "output" + Case.Extension);
}

public sealed class JsonFileSourceContractTests : FileSourceContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Json;
}

public sealed class TextFileSourceContractTests : FileSourceContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Text;
}

public sealed class CsvFileSourceContractTests : FileSourceContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Csv;
}

public sealed class AvroFileSourceContractTests : FileSourceContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Avro;
}

public sealed class ProtobufFileSourceContractTests : FileSourceContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Protobuf;
}

public sealed class JsonFileSinkContractTests : FileSinkContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Json;
}

public sealed class TextFileSinkContractTests : FileSinkContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Text;
}

public sealed class CsvFileSinkContractTests : FileSinkContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Csv;
}

public sealed class AvroFileSinkContractTests : FileSinkContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Avro;
}

public sealed class ProtobufFileSinkContractTests : FileSinkContractTests
{
    private protected override FileFormatCase Case => FileFormatCase.Protobuf;
}
