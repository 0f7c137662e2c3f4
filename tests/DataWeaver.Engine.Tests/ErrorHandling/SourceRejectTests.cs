using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Tests.ErrorHandling;

public sealed class SourceRejectTests
{
    [Fact]
    public async Task OnErrorAfterFrom_SourceRejectsRecords_TheyAreDeadLetteredAndReadingGoesOn()
    {
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var sink = new CollectionSink<int>();
        var source = new RejectingSource(count: 1_000, rejectEvery: 100);

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 64 })
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        Assert.Equal(Enumerable.Range(0, 1_000).Where(i => i % 100 != 99), sink.Records);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 100 + 99L), deadLetters.Records.Select(d => d.Position!.Value.Offset));
        Assert.Equal("raw 99", Encoding.UTF8.GetString(deadLetters.Records[0].Payload.Span));
        Assert.Equal("rejecting", deadLetters.Records[0].Stage);
        Assert.Equal(new SourcePosition(0, 1_000), Assert.Single(run.AcknowledgedPositions));
        Assert.Equal(1_000, source.Committed);
    }

    [Fact]
    public async Task DefaultPolicy_SourceRejectsARecord_FailsWithItsErrorAndCommitsBeforeIt()
    {
        var source = new RejectingSource(count: 1_000, rejectEvery: 300);

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 64 }).To(new CollectionSink<int>()).Build().Start();
        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => run.Completion);

        Assert.Equal("record 299", error.Where);
        Assert.True(source.Committed <= 299, $"committed {source.Committed}");
    }

    /// <summary>Reads 0..count-1 but rejects every n-th record as too large, the way a file source rejects an oversized line.</summary>
    private sealed class RejectingSource(int count, int rejectEvery) : SourceConnector<int>("rejecting")
    {
        public long Committed { get; private set; }

        public override IAsyncEnumerable<int> ReadAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override SourceReader<int> CreateReader() => new Reader(count, rejectEvery);

        public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
        {
            Committed = positions[^1].Offset;
            return default;
        }

        private sealed class Reader(int count, int rejectEvery) : SourceReader<int>
        {
            private int _next;

            public override ValueTask<bool> FillAsync(SourceBuffer<int> buffer, CancellationToken cancellationToken)
            {
                while (!buffer.IsFull && _next < count)
                {
                    var i = _next++;
                    if (i % rejectEvery == rejectEvery - 1)
                    {
                        buffer.Reject(new RecordTooLargeException($"record {i}", 2_000_000, 1_000_000), new SourcePosition(0, i), new SourcePosition(0, i + 1), Encoding.UTF8.GetBytes($"raw {i}"));
                    }
                    else
                    {
                        buffer.Add(i, new SourcePosition(0, i + 1));
                    }
                }

                return new ValueTask<bool>(_next < count);
            }
        }
    }
}

public sealed class JsonLinesRejectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-reject-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task OversizedLines_DeadLetteredWithPrefixAndOffset_OtherLinesDelivered()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        string[] lines =
        [
            "{\"ok\":1}",
            "{\"big\":\"" + new string('x', 6_000) + "\"}",   // fits in a read buffer, above the limit
            "{\"ok\":2}",
            "{\"huge\":\"" + new string('y', 50_000) + "\"}", // spans many read buffers
            "{\"ok\":3}",
        ];
        await File.WriteAllLinesAsync(input, lines);
        var offsets = lines.Select((_, i) => (long)lines.Take(i).Sum(l => l.Length + 1)).ToArray();
        var deadLetters = new DataWeaver.Connectors.Memory.CollectionSink<DeadLetter>("dlq");
        var sink = new DataWeaver.Connectors.Memory.CollectionSink<string>();
        var source = new DataWeaver.Connectors.Files.JsonLinesSource(input, new DataWeaver.Connectors.Files.JsonLinesSourceOptions { BufferSize = 16_384, MaxRecordBytes = 5_000 });

        var run = Pipeline.From(source)
            .OnError(e => e.DeadLetterTo(deadLetters))
            .Map(r => Encoding.UTF8.GetString(r.Value.Span))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        Assert.Equal([lines[0], lines[2], lines[4]], sink.Records);
        Assert.Equal([offsets[1], offsets[3]], deadLetters.Records.Select(d => d.Position!.Value.Offset));
        Assert.All(deadLetters.Records, d => Assert.IsType<RecordTooLargeException>(d.Exception));
        Assert.Equal(lines[1][..1024], Encoding.UTF8.GetString(deadLetters.Records[0].Payload.Span));
        Assert.Equal(lines[3][..1024], Encoding.UTF8.GetString(deadLetters.Records[1].Payload.Span));
        Assert.Equal(lines[3].Length, ((RecordTooLargeException)deadLetters.Records[1].Exception).Size);
        Assert.Equal(new FileInfo(input).Length, source.CommittedOffset);
    }
}
