using System.Text;
using System.Text.Json;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.ErrorHandling;

public sealed class JsonLinesErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public sealed record Order(long Id, decimal Amount);

    [Fact]
    public async Task DeadLetter_OnePercentMalformedLines_ExactlyThoseLinesAreDeadLetteredAndTheRestDelivered()
    {
        var (input, lines, offsets) = await WriteOrdersAsync(20_000);
        var bad = Enumerable.Range(0, lines.Length).Where(IsMalformed).ToArray();
        var decode = new JsonRecordDeserializer<Order>();
        var orders = new CollectionSink<Order>();
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var source = new JsonLinesSource(input);

        var run = Pipeline.From(source)
            .Map(line => decode.Deserialize(line.Value.Span), "decode")
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(orders)
            .Build()
            .Start();
        await run.Completion;

        Assert.Equal(200, bad.Length);
        Assert.Equal(Enumerable.Range(0, lines.Length).Except(bad).Select(i => (long)i), orders.Records.Select(o => o.Id));
        Assert.Equal(bad.Select(i => lines[i]), deadLetters.Records.Select(d => Encoding.UTF8.GetString(d.Payload.Span)));
        Assert.Equal(bad.Select(i => offsets[i]), deadLetters.Records.Select(d => d.Position!.Value.Offset));
        Assert.All(deadLetters.Records, d =>
        {
            Assert.Equal("decode", d.Stage);
            Assert.IsType<DeserializationException>(d.Exception);
            Assert.Equal(DataWeaver.Errors.ErrorClass.Data, d.ErrorClass);
        });
        Assert.Equal(new FileInfo(input).Length, source.CommittedOffset);
    }

    [Fact]
    public async Task Fail_OnePercentMalformedLines_StopsAtTheFirstBadLineAndCommitsBeforeIt()
    {
        var (input, lines, offsets) = await WriteOrdersAsync(20_000);
        var firstBad = Enumerable.Range(0, lines.Length).First(IsMalformed);
        var decode = new JsonRecordDeserializer<Order>();
        var orders = new CollectionSink<Order>();
        var source = new JsonLinesSource(input);

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 16 })
            .Map(line => decode.Deserialize(line.Value.Span), "decode")
            .To(orders)
            .Build()
            .Start();
        var error = await Assert.ThrowsAsync<DeserializationException>(() => run.Completion);

        Assert.Equal("decode", error.Data["DataWeaver.Stage"]);
        Assert.True(source.CommittedOffset <= offsets[firstBad], $"committed {source.CommittedOffset}, first bad line at {offsets[firstBad]}");
        Assert.Equal(orders.Records.Select(o => o.Id), Enumerable.Range(0, orders.Records.Count).Select(i => (long)i));
        Assert.True(orders.Records.Count <= firstBad);
    }

    [Fact]
    public async Task DeadLetters_ToAJsonLinesFile_CarryErrorAndPayload()
    {
        var (input, lines, offsets) = await WriteOrdersAsync(1_000);
        var dlqPath = Path.Combine(_dir, "dead-letters.jsonl");
        var decode = new JsonRecordDeserializer<Order>();

        await Pipeline.From(new JsonLinesSource(input))
            .Map(line => decode.Deserialize(line.Value.Span), "decode")
            .OnError(e => e.DeadLetterTo(new JsonLinesSink<DeadLetter>(dlqPath, new DeadLetterJsonSerializer())))
            .To(new CollectionSink<Order>())
            .Build()
            .RunAsync();

        var written = (await File.ReadAllLinesAsync(dlqPath)).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var bad = Enumerable.Range(0, lines.Length).Where(IsMalformed).ToArray();
        Assert.Equal(bad.Length, written.Length);
        var first = written[0];
        Assert.Equal("Data", first.GetProperty("error").GetProperty("class").GetString());
        Assert.Equal("decode", first.GetProperty("stage").GetString());
        Assert.Equal(offsets[bad[0]], first.GetProperty("offset").GetInt64());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(lines[bad[0]])), first.GetProperty("payloadBase64").GetString());
    }

    private static bool IsMalformed(int i) => i % 100 == 42;

    private async Task<(string Path, string[] Lines, long[] Offsets)> WriteOrdersAsync(int count)
    {
        var lines = Enumerable.Range(0, count)
            .Select(i => IsMalformed(i) ? $"{{\"id\":{i},\"amount\":" : $"{{\"id\":{i},\"amount\":{i % 97}.5}}")
            .ToArray();
        var offsets = new long[count];
        long offset = 0;
        for (var i = 0; i < count; i++)
        {
            offsets[i] = offset;
            offset += Encoding.UTF8.GetByteCount(lines[i]) + 1;
        }

        var path = Path.Combine(_dir, "orders.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return (path, lines, offsets);
    }
}
