using System.IO.Compression;
using System.Text;
using DataWeaver.Formats.Tests.Support;

namespace DataWeaver.Formats.Tests.Files;

public sealed class FileConnectorTests
{
    private const string JsonLines = "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n{\"id\":3,\"name\":\"c\"}\n";

    [Fact]
    public async Task RunAsync_JsonFileToJsonFile_CopiesEveryRecordInOrder()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", JsonLines);
        await run.RunAsync(Pipeline("{ type: file, format: json, settings: { path: in.jsonl } }", "{ type: file, format: json, settings: { path: out/out.jsonl } }"));
        Assert.Equal(JsonLines, run.Read("out/out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_BadJsonLine_GoesToDeadLettersNamingLineAndOffset()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"id\":1}\n{\"id\":2,\n{\"id\":3}\n");
        await run.RunAsync(Pipeline("{ type: file, format: json, settings: { path: in.jsonl } }", "{ type: file, settings: { path: out.jsonl } }", deadLetter: "{ type: file, settings: { path: dead.jsonl } }"));
        Assert.Equal("{\"id\":1}\n{\"id\":3}\n", run.Read("out.jsonl"));
        var letter = Assert.Single(run.Read("dead.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("in.jsonl line 2 (byte offset 9): ", Assert.Single(DeadLetters.Messages(run.Read("dead.jsonl"))), StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"id\":2,")), letter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TextLines_RoundTripThroughTheLineField()
    {
        using var run = new DefinitionRun();
        run.Write("in.txt", "first line\r\n\nsecond \"quoted\" line\n");
        await run.RunAsync(Pipeline("{ type: file, format: text, settings: { path: in.txt } }", "{ type: file, format: json, settings: { path: lines.jsonl } }"));
        Assert.Equal("{\"line\":\"first line\"}\n{\"line\":\"second \\u0022quoted\\u0022 line\"}\n", run.Read("lines.jsonl"));
        await run.RunAsync(Pipeline("{ type: file, format: json, settings: { path: lines.jsonl } }", "{ type: file, format: text, settings: { path: out.txt } }"));
        Assert.Equal("first line\nsecond \"quoted\" line\n", run.Read("out.txt"));
    }

    [Fact]
    public async Task RunAsync_GzipInAndOut_ByExtension()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl.gz", Gzip(JsonLines));
        await run.RunAsync(Pipeline("{ type: file, settings: { path: in.jsonl.gz } }", "{ type: file, settings: { path: out.jsonl.gz } }"));
        Assert.Equal(JsonLines, Gunzip(File.ReadAllBytes(run.PathOf("out.jsonl.gz"))));
    }

    [Fact]
    public async Task RunAsync_GlobWithCheckpoints_ReadsFilesInNameOrderAndOnlyNewRecordsOnTheNextRun()
    {
        using var run = new DefinitionRun();
        Directory.CreateDirectory(run.PathOf("in"));
        run.Write("in/b.jsonl", "{\"n\":3}\n");
        run.Write("in/a.jsonl", "{\"n\":1}\n{\"n\":2}\n");
        run.Write("in/skip.txt", "not matched\n");
        var yaml = Pipeline("{ type: file, settings: { path: in/*.jsonl, checkpointDirectory: cp } }", "{ type: file, settings: { path: out.jsonl, append: true } }");
        await run.RunAsync(yaml);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n", run.Read("out.jsonl"));

        File.AppendAllText(run.PathOf("in/a.jsonl"), "{\"n\":4}\n");
        run.Write("in/c.jsonl.gz", Gzip("{\"n\":5}\n"));
        run.Write("in/c.jsonl", "{\"n\":6}\n");
        await run.RunAsync(yaml);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":6}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_Folder_ReadsEveryFileIncludingGzip()
    {
        using var run = new DefinitionRun();
        Directory.CreateDirectory(run.PathOf("in"));
        run.Write("in/1.jsonl", "{\"n\":1}\n");
        run.Write("in/2.jsonl.gz", Gzip("{\"n\":2}\n"));
        await run.RunAsync(Pipeline("{ type: file, settings: { path: in } }", "{ type: file, settings: { path: out.jsonl } }"));
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_StandardInputToStandardOutput_CopiesTheRecords()
    {
        using var run = new DefinitionRun();
        var output = await run.RunWithStandardStreamsAsync(Pipeline("{ type: file, format: text, settings: { path: \"-\" } }", "{ type: file, format: json, settings: { path: \"-\" } }"), Encoding.UTF8.GetBytes("x\ny\n"));
        Assert.Equal("{\"line\":\"x\"}\n{\"line\":\"y\"}\n", Encoding.UTF8.GetString(output));
    }

    [Fact]
    public async Task RunAsync_MissingInput_FailsAndLeavesTheOldOutputIntact()
    {
        using var run = new DefinitionRun();
        run.Write("out.jsonl", "{\"old\":true}\n");
        await Assert.ThrowsAnyAsync<Exception>(() => run.RunAsync(Pipeline("{ type: file, settings: { path: missing.jsonl } }", "{ type: file, settings: { path: out.jsonl } }")));
        Assert.Equal("{\"old\":true}\n", run.Read("out.jsonl"));
        Assert.Single(Directory.GetFiles(run.Folder));
    }

    [Fact]
    public void Validate_StandardInputWithCheckpoint_NamesTheKey()
    {
        using var run = new DefinitionRun();
        var error = Assert.Single(run.Validate(Pipeline("{ type: file, settings: { path: \"-\", checkpointDirectory: cp } }", "{ type: discard }")));
        Assert.EndsWith("checkpointDirectory", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownCompression_NamesTheKey()
    {
        using var run = new DefinitionRun();
        var error = Assert.Single(run.Validate(Pipeline("{ type: file, settings: { path: in.jsonl, compression: zip } }", "{ type: discard }")));
        Assert.EndsWith("compression", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_JsonLinesWithCrLfBlankAndLongLines_EachRecordOnItsOwnLine()
    {
        // Lines written in runs straight from the read buffers: a run must stop at a \r\n, a blank line and a buffer's end.
        var random = new Random(3);
        var input = new StringBuilder();
        var expected = new StringBuilder();
        for (var i = 0; i < 5_000; i++)
        {
            var line = $"{{\"i\":{i},\"s\":\"{new string('x', random.Next(i % 100 == 0 ? 70_000 : 200))}\"}}";
            input.Append(line).Append(random.Next(7) switch { 0 => "\r\n", 1 => "\n\n", 2 => "\r\n\r\n", _ => "\n" });
            expected.Append(line).Append('\n');
        }

        using var run = new Support.DefinitionRun();
        run.Write("in.jsonl", input.ToString());
        await run.RunAsync(Pipeline("{ type: file, format: json, settings: { path: in.jsonl } }", "{ type: file, format: json, settings: { path: out.jsonl } }"));

        Assert.Equal(expected.ToString(), run.Read("out.jsonl"));
    }

    internal static string Pipeline(string source, string sink, string? deadLetter = null) => $"""
        version: 1
        pipelines:
          - name: p
            source: {source}
            sinks: [{sink}]
        {(deadLetter is null ? "" : $"    errors: {{ onFailure: dead-letter, deadLetter: {deadLetter} }}")}
        """;

    internal static byte[] Gzip(string text)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return memory.ToArray();
    }

    internal static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }
}

public sealed class FileCheckpointTests
{
    [Fact]
    public async Task RunAsync_CsvWithCheckpoint_SecondRunReadsOnlyAppendedRows()
    {
        using var run = new DefinitionRun(r => DataWeaver.Formats.Csv.CsvConnectorRegistryExtensions.AddCsv(r));
        run.Write("in.csv", "id,name\n1,a\n2,\"b\nb\"\n");
        var yaml = FileConnectorTests.Pipeline("{ type: file, format: csv, settings: { path: in.csv, checkpointDirectory: cp } }", "{ type: file, settings: { path: out.jsonl, append: true } }");
        await run.RunAsync(yaml);
        File.AppendAllText(run.PathOf("in.csv"), "3,c\n");
        await run.RunAsync(yaml);
        Assert.Equal("{\"id\":\"1\",\"name\":\"a\"}\n{\"id\":\"2\",\"name\":\"b\\nb\"}\n{\"id\":\"3\",\"name\":\"c\"}\n", run.Read("out.jsonl"));
    }
}

public sealed class StandardInputTests
{
    [Fact]
    public async Task RunAsync_StandardInputThatPauses_DeliversTheLinesReadBeforeThePause()
    {
        using var run = new DefinitionRun();
        var input = new PausingStream("{\"n\":1}\n{\"n\":2}\n"u8.ToArray());
        var output = new MemoryStream();
        await DefinitionRun.StandardStreams.WaitAsync();
        Configuration.Internal.Connectors.FileConnectors.StandardInput = () => input;
        Configuration.Internal.Connectors.FileConnectors.StandardOutput = () => output;
        try
        {
            var running = run.RunAsync(FileConnectorTests.Pipeline("{ type: file, settings: { path: \"-\" } }", "{ type: file, settings: { path: out.jsonl, append: true } }"));
            await input.Paused.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await WaitForAsync(() => File.Exists(run.PathOf("out.jsonl")) && run.Read("out.jsonl").Length >= 16).WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal("{\"n\":1}\n{\"n\":2}\n", run.Read("out.jsonl"));
            input.Resume.SetResult();
            await running.WaitAsync(TimeSpan.FromMinutes(1));
        }
        finally
        {
            Configuration.Internal.Connectors.FileConnectors.StandardInput = null;
            Configuration.Internal.Connectors.FileConnectors.StandardOutput = null;
            DefinitionRun.StandardStreams.Release();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Gives its bytes, then waits for <see cref="Resume"/> before reporting the end.</summary>
    private sealed class PausingStream(byte[] data) : Stream
    {
        private int _position;

        public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < data.Length)
            {
                var n = Math.Min(buffer.Length, data.Length - _position);
                data.AsMemory(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            Paused.TrySetResult();
            await Resume.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
