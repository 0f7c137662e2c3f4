using System.Globalization;
using System.Runtime.CompilerServices;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Faults;
using DataWeaver.Testing.Sequences;

namespace DataWeaver.Testing.Tests.Docs;

/// <summary>A user's own source, as docs/testing.md tests it: numbers, one per line of a file, resuming from a checkpoint store.</summary>
public sealed class NumbersFileSource(string path, ICheckpointStore checkpoints) : SourceConnector<long>("numbers")
{
    private long _start;

    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var saved = await checkpoints.LoadAsync("numbers:" + path, cancellationToken);
        _start = saved is [var position, ..] ? position.Offset : 0;
    }

    public override async IAsyncEnumerable<long> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var line in File.ReadLines(path).Skip((int)_start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return long.Parse(line, CultureInfo.InvariantCulture);
            await Task.Yield();
        }
    }

    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) =>
        checkpoints.SaveAsync("numbers:" + path, positions, cancellationToken);

    protected override SourcePosition GetResumePosition(in long record, long ordinal) => new(0, _start + ordinal + 1);
}

/// <summary>A user's own sink, as docs/testing.md tests it: appends numbers as lines to a file.</summary>
public sealed class NumbersFileSink(string path) : SinkConnector<long>("numbers-file")
{
    public override async ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default) =>
        await File.AppendAllLinesAsync(path, batch.ToArray().Select(n => n.ToString(CultureInfo.InvariantCulture)), cancellationToken);
}

// snippet: testing-source-contract
public sealed class NumbersFileSourceContractTests : SourceContractTests<long>
{
    protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context)
    {
        var path = Path.Combine(context.Directory, "numbers.txt");
        if (context.Run == 0) // the first source of a test writes the input: records 0 .. RecordCount - 1
        {
            File.WriteAllLines(path, Enumerable.Range(0, context.RecordCount).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        }

        // A restart is a new source over the same file and the same checkpoint store.
        return new(new NumbersFileSource(path, context.Checkpoints));
    }

    protected override long GetSequence(long record) => record;
}
// end snippet

// snippet: testing-sink-contract
public sealed class NumbersFileSinkContractTests : SinkContractTests<long>
{
    protected override ValueTask<SinkConnector<long>> CreateSinkAsync(ContractContext context) =>
        new(new NumbersFileSink(Path.Combine(context.Directory, "out.txt")));

    protected override long CreateRecord(long sequence, ContractContext context) => sequence;

    // Read back as someone else would: open the file anew.
    protected override ValueTask<IReadOnlyList<long>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
    {
        var path = Path.Combine(context.Directory, "out.txt");
        return new(File.Exists(path) ? [.. File.ReadLines(path).Select(line => long.Parse(line, CultureInfo.InvariantCulture))] : []);
    }

    protected override long GetSequence(long record) => record;
}
// end snippet

public sealed class TestingDocsExamples
{
    [Fact]
    public async Task Faults_EveryThirdWriteFailsWithRetries_NothingLostNothingDuplicated()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dw-docs-{Guid.NewGuid():N}.txt");
        try
        {
            // snippet: testing-faults
            var numbers = Enumerable.Range(0, 1_000).Select(i => (long)i).ToArray();
            var sink = new FaultInjectingSink<long>(new NumbersFileSink(path), new FaultOptions { FailEveryNth = 3 });

            await Pipeline.From(new CollectionSource<long>(numbers), new PipelineOptions { BatchSize = 10 })
                .To(sink)
                .OnError(e => e.Retry(3, TimeSpan.Zero))
                .Build()
                .RunAsync();

            var report = SequenceChecker.Check(File.ReadLines(path).Select(long.Parse), expectedCount: 1_000);
            report.AssertExactlyOnceInOrder(); // fails listing counts and first examples: "lost 2 (first: 17, 18), duplicated 0, ..."
            // end snippet
            Assert.True(sink.Injector.Failures > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
