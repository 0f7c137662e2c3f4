using System.Diagnostics;
using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;
using DataWeaver.Testing.Tests.Support;

namespace DataWeaver.Testing.Tests.Contract;

/// <summary>
/// The JSON-lines file source against the source contract: lines <c>{"id":N}</c>, its checkpoints in the context's
/// store; poison is a line longer than <see cref="JsonLinesSourceOptions.MaxRecordBytes"/>; the crash harness
/// (tests/DataWeaver.CrashHarness) is the process killed.
/// </summary>
public sealed class JsonLinesSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    private const int MaxRecordBytes = 64;

    protected override ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var path = Path.Combine(context.Directory, "input.jsonl");
        if (context.Run == 0)
        {
            File.WriteAllLines(path, Enumerable.Range(0, context.RecordCount).Select(i => Encoding.UTF8.GetString(IdRecords.Json(i))));
        }

        return new(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = context.Checkpoints }));
    }

    protected override ValueTask<PoisonInput<Record<ReadOnlyMemory<byte>>>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var path = Path.Combine(context.Directory, "poison.jsonl");
        var poison = new List<PoisonRecord>();
        using (var file = File.Create(path))
        {
            for (var i = 0; i < context.RecordCount; i++)
            {
                if (i % 100 == 50)
                {
                    // Too long, and not even UTF-8 (0xFF 0xFE): the dead letter must keep these exact bytes.
                    byte[] bad = [.. Encoding.UTF8.GetBytes($"{{\"id\":\"poison-{i}\",\"pad\":\""), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes($"{new string('x', MaxRecordBytes)}\"}}")];
                    poison.Add(new PoisonRecord(bad, new SourcePosition(0, file.Position)));
                    file.Write(bad);
                    file.WriteByte((byte)'\n');
                }

                file.Write(IdRecords.Json(i));
                file.WriteByte((byte)'\n');
            }
        }

        var source = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = context.Checkpoints, MaxRecordBytes = MaxRecordBytes });
        return new(new PoisonInput<Record<ReadOnlyMemory<byte>>>(source, poison));
    }

    // snippet: testing-crash
    protected override ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        const int Lines = 20_000;
        const int MaxInFlight = 256;
        var input = Path.Combine(context.Directory, "crash-input.jsonl");
        var output = Path.Combine(context.Directory, "crash-output.jsonl");
        var checkpoints = Path.Combine(context.Directory, "crash-checkpoints");
        File.WriteAllLines(input, Enumerable.Range(0, Lines).Select(i => $"{{\"id\":{i},\"name\":\"item-{i}\"}}"));
        return new(new ProcessCrashScenario(
            Lines,
            run => new ProcessStartInfo("dotnet", [ // the harness: JsonLinesSource (file checkpoints) -> map -> JsonLinesSink (append)
                Path.Combine(AppContext.BaseDirectory, "DataWeaver.CrashHarness.dll"), input, output, checkpoints,
                "--max-in-flight", $"{MaxInFlight}", "--batch-size", "32", "--pause-every", "5"]),
            () => IdRecords.FileIds(output),
            new ProcessCrashOptions { Kills = 3, MaxDuplicatesPerKill = MaxInFlight }));
    }
    // end snippet

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => IdRecords.Id(record.Value.Span);
}

/// <summary>
/// The JSON-lines file source with the canary secret inside its path (a <c>${secret:...}</c> in a definition file),
/// declared through <see cref="JsonLinesSourceOptions.DisplayPath"/> and <see cref="JsonLinesSourceOptions.CheckpointKey"/>.
/// </summary>
public sealed class JsonLinesSecretPathSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected override ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var path = Path.Combine(context.Directory, $"in-{context.Secret}.jsonl");
        if (context.Run == 0)
        {
            File.WriteAllLines(path, Enumerable.Range(0, context.RecordCount).Select(i => Encoding.UTF8.GetString(IdRecords.Json(i))));
        }

        // How the source is told a path holds a secret (the definition-file loader does the same for ${secret:...}):
        // a masked path for messages and dead letters, a checkpoint key without the path.
        var options = new JsonLinesSourceOptions
        {
            CheckpointStore = context.Checkpoints,
            CheckpointKey = "jsonl:input",
            DisplayPath = path.Replace(context.Secret, "***", StringComparison.Ordinal),
        };
        return new(new JsonLinesSource(path, options, name: "input"));
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => IdRecords.Id(record.Value.Span);

}

/// <summary>
/// The JSON-lines file sink (default options: each run replaces the file) against the sink contract: read back by
/// opening the file anew.
/// </summary>
public sealed class JsonLinesSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected override bool KeepsOutputAcrossRuns => false;

    protected override ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context) =>
        new(JsonLinesSink.Raw(Output(context)));

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) => IdRecords.Record(sequence);

    /// <summary>
    /// While a run writes, what it made durable is in the run's hidden temporary file, which replaces the output when
    /// the run ends (a failed run leaves the old output): read that while it exists, else the output.
    /// </summary>
    protected override ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
    {
        var writing = SafeFileWriter.TemporaryPathFor(Output(context));
        return new([.. IdRecords.FileIds(File.Exists(writing) ? writing : Output(context)).Select(IdRecords.Record)]);
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => IdRecords.Id(record.Value.Span);

    private static string Output(ContractContext context) => Path.Combine(context.Directory, "output.jsonl");
}

/// <summary>The JSON-lines file sink in append mode (the mode behind a checkpointed source) against the sink contract.</summary>
public sealed class JsonLinesAppendSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    protected override ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context) =>
        new(JsonLinesSink.Raw(Output(context), new JsonLinesSinkOptions { Append = true }));

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) => IdRecords.Record(sequence);

    protected override ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        new([.. IdRecords.FileIds(Output(context)).Select(IdRecords.Record)]);

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => IdRecords.Id(record.Value.Span);

    private static string Output(ContractContext context) => Path.Combine(context.Directory, "output.jsonl");
}
