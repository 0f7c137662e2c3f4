using DataWeaver.Configuration;
using DataWeaver.Configuration.Files;
using DataWeaver.Configuration.Formats;
using DataWeaver.Connectors.Files;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Formats.Tests.Support;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using static DataWeaver.Formats.Tests.Files.FileConnectorTests;

namespace DataWeaver.Formats.Tests.Files;

/// <summary>
/// The <c>file</c> source reads growing, truncated, rotated and missing files as safely as the JSON-lines source: never a
/// record without its end, never a checkpoint inside one, a checkpoint of another file restarts that file.
/// </summary>
public sealed class FileReadSafetyTests
{
    private const string Checkpointed = "{ type: file, format: FORMAT, settings: { path: IN, checkpointDirectory: cp } }";
    private const string AppendOut = "{ type: file, settings: { path: out.jsonl, append: true } }";
    private const string DeadLetter = "{ type: file, settings: { path: dead.jsonl } }";

    [Theory]
    [InlineData("json", "{\"n\":1}\n{\"n\":2}\n{\"n\":", "3}\n", "{\"n\":1}\n{\"n\":2}\n", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")]
    [InlineData("text", "a\nb\nhal", "f\n", "{\"line\":\"a\"}\n{\"line\":\"b\"}\n", "{\"line\":\"a\"}\n{\"line\":\"b\"}\n{\"line\":\"half\"}\n")]
    public async Task RunAsync_LineFileWithAHalfWrittenLastLine_LeavesItUnreadUntilItsLineEndArrives(string format, string first, string rest, string afterFirst, string afterSecond)
    {
        using var run = new DefinitionRun();
        run.Write("in.txt", first);
        var yaml = Pipeline(Source(format, "in.txt"), AppendOut, DeadLetter);

        await run.RunAsync(yaml);
        Assert.Equal(afterFirst, run.Read("out.jsonl"));
        File.AppendAllText(run.PathOf("in.txt"), rest);
        await run.RunAsync(yaml);

        Assert.Equal(afterSecond, run.Read("out.jsonl"));
        Assert.False(File.Exists(run.PathOf("dead.jsonl")) && run.Read("dead.jsonl").Length > 0);
    }

    [Fact]
    public async Task RunAsync_ReadUnterminatedLastLine_ReadsTheLastLineOfACompleteFile()
    {
        using var run = new DefinitionRun();
        run.Write("in.txt", "a\nlast");

        await run.RunAsync(Pipeline("{ type: file, format: text, settings: { path: in.txt, readUnterminatedLastLine: true } }", AppendOut));

        Assert.Equal("{\"line\":\"a\"}\n{\"line\":\"last\"}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task ReadAsync_UnterminatedTail_IsReportedAsANoticeWithItsOffsetAndLength()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":1}\n{\"n\":");
        List<FileSourceNotice> told = [];
        var source = new FileSource(run.PathOf("in.jsonl"), new FileSourceOptions { Format = new JsonLineFormat(new JsonRecordOptions()), OnNotice = told.Add });

        var records = new List<string>();
        await foreach (var record in source.ReadAsync())
        {
            records.Add(record.ToString());
        }

        Assert.Equal(["{\"n\":1}"], records);
        var notice = Assert.Single(source.Notices);
        Assert.Equal(new FileSourceNotice(FileSourceNoticeKind.UnterminatedTail, "in.jsonl", 8, 5, notice.Message), notice);
        Assert.Equal([notice], told);
    }

    [Fact]
    public async Task RunAsync_CsvRowHalfWrittenInsideAQuotedLineBreak_IsReadOnceComplete()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", "id,name\n1,a\n2,\"b\n");
        var yaml = Pipeline(Source("csv", "in.csv"), AppendOut, DeadLetter);

        await run.RunAsync(yaml);
        Assert.Equal("{\"id\":\"1\",\"name\":\"a\"}\n", run.Read("out.jsonl"));
        File.AppendAllText(run.PathOf("in.csv"), "b\"\n3,c");
        await run.RunAsync(yaml);
        Assert.Equal("{\"id\":\"1\",\"name\":\"a\"}\n{\"id\":\"2\",\"name\":\"b\\nb\"}\n", run.Read("out.jsonl"));
        File.AppendAllText(run.PathOf("in.csv"), "\n");
        await run.RunAsync(yaml);

        Assert.Equal("{\"id\":\"1\",\"name\":\"a\"}\n{\"id\":\"2\",\"name\":\"b\\nb\"}\n{\"id\":\"3\",\"name\":\"c\"}\n", run.Read("out.jsonl"));
        Assert.False(File.Exists(run.PathOf("dead.jsonl")) && run.Read("dead.jsonl").Length > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void CompleteLinesStream_QuotedLineBreaksAndATornTail_PassesOnlyCompleteRowsWhateverTheReadSizes(int readSize)
    {
        var bytes = "a,b\n1,\"x\ny\"\n2,\"z\n"u8.ToArray();
        using var lines = new CompleteLinesStream(new TrickleStream(bytes, readSize), (byte)'"');

        var passed = new MemoryStream();
        lines.CopyTo(passed, 7);

        Assert.Equal("a,b\n1,\"x\ny\"\n", System.Text.Encoding.UTF8.GetString(passed.ToArray()));
        Assert.Equal(5, lines.HeldBytes);
        Assert.Equal(12, lines.HeldOffset);
    }

    [Fact]
    public async Task RunAsync_ProtobufMessageCutShort_IsNotDeadLetteredAndIsReadOnceComplete()
    {
        using var run = new DefinitionRun(r => r.AddProtobuf());
        run.Write("types.pb", FileDescriptorSet());
        var whole = new MemoryStream();
        for (var i = 1; i <= 3; i++)
        {
            new FieldDescriptorProto { Name = "field" + i, Number = i }.WriteDelimitedTo(whole);
        }

        var bytes = whole.ToArray();
        run.Write("in.pb", bytes[..^3]);
        var yaml = Pipeline(Source(ProtobufFormat, "in.pb"), AppendOut, DeadLetter);

        await run.RunAsync(yaml);
        Assert.Equal(2, Lines(run.Read("out.jsonl")).Length);
        using (var file = new FileStream(run.PathOf("in.pb"), FileMode.Append))
        {
            file.Write(bytes.AsSpan(bytes.Length - 3));
        }

        await run.RunAsync(yaml);

        Assert.Equal(["field1", "field2", "field3"], Lines(run.Read("out.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("name").GetString()));
        Assert.False(File.Exists(run.PathOf("dead.jsonl")) && run.Read("dead.jsonl").Length > 0);
    }

    [Fact]
    public async Task RunAsync_AvroBlockCutShort_IsNotDeadLetteredAndIsReadOnceComplete()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        var bytes = AvroFile(blocks: 2);
        run.Write("in.avro", bytes[..^20]);
        var yaml = Pipeline(Source("avro", "in.avro"), AppendOut, DeadLetter);

        await run.RunAsync(yaml);
        Assert.Equal("{\"s\":\"block 0\"}\n", run.Read("out.jsonl"));
        using (var file = new FileStream(run.PathOf("in.avro"), FileMode.Append))
        {
            file.Write(bytes.AsSpan(bytes.Length - 20));
        }

        await run.RunAsync(yaml);

        Assert.Equal("{\"s\":\"block 0\"}\n{\"s\":\"block 1\"}\n", run.Read("out.jsonl"));
        Assert.False(File.Exists(run.PathOf("dead.jsonl")) && run.Read("dead.jsonl").Length > 0);
    }

    [Fact]
    public async Task RunAsync_AvroHeaderStillBeingWritten_ReadsNothingAndFailsNothing()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        var bytes = AvroFile(blocks: 1);
        run.Write("in.avro", bytes[..10]);
        var yaml = Pipeline(Source("avro", "in.avro"), AppendOut, DeadLetter);

        await run.RunAsync(yaml);
        using (var file = new FileStream(run.PathOf("in.avro"), FileMode.Append))
        {
            file.Write(bytes.AsSpan(10));
        }

        await run.RunAsync(yaml);

        Assert.Equal("{\"s\":\"block 0\"}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_TruncatedInputUnderCheckpoint_ReadsTheFileAgainFromItsStart()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":1}\n{\"n\":2}\n");
        var yaml = Pipeline(Source("json", "in.jsonl"), AppendOut);
        await run.RunAsync(yaml);

        run.Write("in.jsonl", "{\"n\":9}\n"); // truncated in place: the same file, shorter than its checkpoint
        await run.RunAsync(yaml);

        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":9}\n", run.Read("out.jsonl"));
    }

    [Theory]
    [InlineData("json", "{\"n\":1}\n{\"n\":2}\n", "{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n")]
    [InlineData("csv", "n\n1\n2\n", "n\n3\n4\n5\n")]
    public async Task RunAsync_InputRotatedToAFileOfTheSameShape_ReadsTheNewFileFromItsStart(string format, string old, string rotated)
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.txt", old);
        var yaml = Pipeline(Source(format, "in.txt"), AppendOut);
        await run.RunAsync(yaml);

        File.Move(run.PathOf("in.txt"), run.PathOf("in.txt.1"));
        run.Write("in.txt", rotated); // the new file: another inode, other first bytes, longer than the checkpoint
        await run.RunAsync(yaml);

        Assert.Equal(5, Lines(run.Read("out.jsonl")).Length);
        Assert.EndsWith(format == "json" ? "{\"n\":5}\n" : "{\"n\":\"5\"}\n", run.Read("out.jsonl"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CheckpointOfAnotherFileWithTheSameFirstBytes_ReadsTheNewFileByItsIdentity()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":1}\n{\"n\":2}\n");
        var yaml = Pipeline(Source("json", "in.jsonl"), AppendOut);
        await run.RunAsync(yaml);

        File.Move(run.PathOf("in.jsonl"), run.PathOf("in.jsonl.1")); // rotated away: its inode stays taken
        run.Write("other.tmp", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
        File.Move(run.PathOf("other.tmp"), run.PathOf("in.jsonl")); // same first 16 bytes, longer: only the identity tells
        await run.RunAsync(yaml);

        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_MissingInputWithASecretInItsPath_FailsWithInputFileNotFoundExceptionNamingTheMaskedPath()
    {
        using var run = new DefinitionRun();
        var yaml = Pipeline("{ type: file, settings: { path: \"in-${secret:TOK}.jsonl\" } }", "{ type: file, settings: { path: out.jsonl } }");
        var file = PipelineDefinitionLoader.Parse(yaml, "pipeline.yaml", new PipelineLoadOptions { Registry = run.Registry, Environment = n => n == "TOK" ? "s3cr3t" : null, BaseDirectory = run.Folder });
        await using var factory = new PipelineFactory(run.Registry, new PipelineFactoryOptions { BaseDirectory = run.Folder });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => factory.Create(file.Pipelines.Single()).RunAsync());

        var missing = Assert.IsType<InputFileNotFoundException>(Chain(error).OfType<InputFileNotFoundException>().First());
        Assert.Equal(Path.Combine(run.Folder, "***"), missing.Path); // the whole interpolated value is the secret
        Assert.Equal($"The input file '{missing.Path}' of the source 'file' does not exist.", missing.Message);
        Assert.DoesNotContain("s3cr3t", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(run.PathOf("out.jsonl")));
    }

    internal static string Source(string format, string path) => Checkpointed.Replace("FORMAT", format, StringComparison.Ordinal).Replace("IN", path, StringComparison.Ordinal);

    internal static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    internal const string ProtobufFormat = "{ type: protobuf, settings: { descriptorSet: types.pb, messageType: google.protobuf.FieldDescriptorProto } }";

    internal static byte[] FileDescriptorSet()
    {
        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(DescriptorReflection.Descriptor.SerializedData));
        return set.ToByteArray();
    }

    /// <summary>An Avro container file of one record per block.</summary>
    internal static byte[] AvroFile(int blocks)
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"s","type":"string"}]}""");
        var memory = new MemoryStream();
        using (var writer = new AvroContainerWriter(memory, schema, new AvroContainerWriterOptions { LeaveOpen = true }))
        {
            for (var i = 0; i < blocks; i++)
            {
                var record = new GenericRecord((RecordSchema)schema);
                record["s"] = "block " + i;
                writer.Append(record);
                writer.Flush();
            }
        }

        return memory.ToArray();
    }

    /// <summary>Gives its bytes at most <paramref name="readSize"/> at a time.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, readSize)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
