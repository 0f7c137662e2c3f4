using System.Text;
using System.Text.Json;
using DataWeaver.Buffers;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Connectors;

public sealed class JsonLinesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RawCopy_SmallBuffersAndLinesStraddlingThem_CopiesEveryLineAndReturnsEveryBuffer()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        var output = Path.Combine(_dir, "out.jsonl");
        var lines = Enumerable.Range(0, 50_000).Select(i => $"{{\"id\":{i},\"pad\":\"{new string('x', i % 300)}\"}}").ToArray();
        await File.WriteAllLinesAsync(input, lines);
        var pool = new PayloadPool();
        var source = new JsonLinesSource(input, new JsonLinesSourceOptions { BufferSize = 4096, Pool = pool });

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100 }).To(JsonLinesSink.Raw(output)).Build().Start();
        await run.Completion;

        Assert.Equal(lines, await File.ReadAllLinesAsync(output));
        Assert.True(pool.Rented > 1, "lines were cut from several read buffers");
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(new FileInfo(input).Length, source.CommittedOffset);
        Assert.Equal(new SourcePosition(0, new FileInfo(input).Length), Assert.Single(run.AcknowledgedPositions));
    }

    [Fact]
    public async Task Read_CrLfEmptyLinesAndNoFinalLineEnd_YieldsTrimmedRecordsWithByteOffsetsAndLeavesTheUnterminatedTail()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        await File.WriteAllBytesAsync(input, Encoding.UTF8.GetBytes("{\"a\":1}\r\n\n{\"a\":2}\n{\"a\":3}"));
        var sink = new CollectionSink<(string Line, long Offset)>();
        var source = new JsonLinesSource(input);

        await Pipeline.From(source)
            .Map(r => (Encoding.UTF8.GetString(r.Value.Span), r.Position.Offset))
            .To(sink)
            .Build()
            .RunAsync();

        // The last line has no line end: it may still be being written, so it is neither read nor committed.
        Assert.Equal([("{\"a\":1}", 0L), ("{\"a\":2}", 10L)], sink.Records);
        Assert.Equal(18, source.CommittedOffset);
        Assert.Equal(7, source.UnterminatedTailBytes);
        var notice = Assert.Single(source.Notices);
        Assert.Equal((JsonLinesSourceNoticeKind.UnterminatedTail, 18L, 7L), (notice.Kind, notice.Offset, notice.Bytes));
    }

    [Fact]
    public async Task Read_ReadUnterminatedLastLine_ReadsALastLineWithoutLineEndOfACompleteFile()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        await File.WriteAllBytesAsync(input, Encoding.UTF8.GetBytes("{\"a\":1}\n{\"a\":2}"));
        var sink = new CollectionSink<string>();
        var source = new JsonLinesSource(input, new JsonLinesSourceOptions { ReadUnterminatedLastLine = true });

        await Pipeline.From(source).Map(r => Encoding.UTF8.GetString(r.Value.Span)).To(sink).Build().RunAsync();

        Assert.Equal(["{\"a\":1}", "{\"a\":2}"], sink.Records);
        Assert.Equal(new FileInfo(input).Length, source.CommittedOffset);
        Assert.Empty(source.Notices);
    }

    [Fact]
    public async Task Read_StartOffsetFromCommit_ResumesAfterCommittedLines()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 1_000).Select(i => $"{{\"n\":{i}}}"));
        var first = new JsonLinesSource(input);
        var taken = new CollectionSink<int>();
        var run = Pipeline.From(first).Map(Decode).Filter(n => n < 300).To(taken).Build().Start();
        await run.Completion;
        var offsetAfterLine299 = Encoding.UTF8.GetByteCount(string.Concat(Enumerable.Range(0, 300).Select(i => $"{{\"n\":{i}}}\n")));

        var resumed = new CollectionSink<int>();
        await Pipeline.From(new JsonLinesSource(input, new JsonLinesSourceOptions { StartOffset = offsetAfterLine299 }))
            .Map(Decode)
            .To(resumed)
            .Build()
            .RunAsync();

        Assert.Equal(Enumerable.Range(0, 300), taken.Records);
        Assert.Equal(Enumerable.Range(300, 700), resumed.Records);
    }

    [Fact]
    public async Task Read_LineAboveMaxRecordBytes_FaultsWithRecordTooLargeNamingFileAndOffset()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        await File.WriteAllTextAsync(input, "{\"ok\":1}\n{\"big\":\"" + new string('x', 10_000) + "\"}\n{\"ok\":2}\n");
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var source = new JsonLinesSource(input, new JsonLinesSourceOptions { BufferSize = 4096, MaxRecordBytes = 5_000 });

        var run = Pipeline.From(source).To(sink).Build().Start();
        var error = await Assert.ThrowsAsync<RecordTooLargeException>(() => run.Completion);

        Assert.Equal(ErrorClass.Data, error.ErrorClass);
        Assert.Equal($"{input} byte offset 9", error.Where);
        Assert.Equal(5_000, error.Limit);
        Assert.True(run.AcknowledgedPositions.All(p => p.Offset <= 9), "nothing past the bad line is acknowledged");
    }

    [Fact]
    public async Task TypedCopy_DecodeFilterEnrichEncode_WritesExpectedJson()
    {
        var input = Path.Combine(_dir, "orders.jsonl");
        var output = Path.Combine(_dir, "big.jsonl");
        var orders = Enumerable.Range(0, 5_000).Select(i => new Order(i, i % 100 * 1.5m, i % 7)).ToArray();
        await File.WriteAllLinesAsync(input, orders.Select(o => JsonSerializer.Serialize(o, JsonSerializerOptions.Web)));
        var decode = new JsonRecordDeserializer<Order>();

        await Pipeline.From(new JsonLinesSource(input))
            .Map(r => decode.Deserialize(r.Value.Span))
            .Filter(o => o.Amount >= 100)
            .Map(o => new BigOrder(o.Id, o.Amount * o.Qty))
            .To(new JsonLinesSink<BigOrder>(output, new JsonRecordSerializer<BigOrder>()))
            .Build()
            .RunAsync();

        var expected = orders.Where(o => o.Amount >= 100).Select(o => JsonSerializer.Serialize(new BigOrder(o.Id, o.Amount * o.Qty), JsonSerializerOptions.Web));
        Assert.Equal(expected, await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public async Task ReadAsync_RecordAtATime_CopiesEachLine()
    {
        var input = Path.Combine(_dir, "in.jsonl");
        await File.WriteAllLinesAsync(input, ["{\"a\":1}", "{\"a\":2}"]);
        List<string> read = [];

        await foreach (var record in new JsonLinesSource(input).ReadAsync())
        {
            read.Add(Encoding.UTF8.GetString(record.Value.Span));
        }

        Assert.Equal(["{\"a\":1}", "{\"a\":2}"], read);
    }

    private static int Decode(Record<ReadOnlyMemory<byte>> record) =>
        JsonDocument.Parse(record.Value).RootElement.GetProperty("n").GetInt32();

    public sealed record Order(int Id, decimal Amount, int Qty);

    public sealed record BigOrder(int Id, decimal Total);
}
