using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Connectors.Files;

/// <summary>
/// Issue 10, found bug 4 (source side): a file appended to while it is read, rotated or truncated loses no line, reads
/// none twice, and never leaves a checkpoint inside a line.
/// </summary>
public sealed class JsonLinesSourceSafetyTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dw-jsonl-safety-" + Guid.NewGuid().ToString("N"));

    public JsonLinesSourceSafetyTests() => Directory.CreateDirectory(_dir);

    private string Input => Path.Combine(_dir, "in.jsonl");

    private string Checkpoints => Path.Combine(_dir, "checkpoints");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Run_HalfWrittenLastLine_NeitherDeadLetteredNorCommittedAndTheNextRunReadsItWhole()
    {
        File.WriteAllText(Input, Line(1) + Line(2) + "{\"id\":3,\"na");
        var store = new FileCheckpointStore(Checkpoints);

        var (first, firstLetters, firstSource) = await RunOnceAsync(store);
        File.AppendAllText(Input, "me\":\"x\"}\n");
        var (second, secondLetters, _) = await RunOnceAsync(store);

        Assert.Equal([1L, 2L], first);
        Assert.Empty(firstLetters);
        Assert.Equal(Line(1).Length + Line(2).Length, firstSource.CommittedOffset);
        Assert.Equal(JsonLinesSourceNoticeKind.UnterminatedTail, Assert.Single(firstSource.Notices).Kind);
        Assert.Equal([3L], second);
        Assert.Empty(secondLetters);
    }

    [Fact]
    public async Task Run_CronLikeLoopWhileAWriterAppendsHalfLines_NoLineLostOrDuplicated()
    {
        const int Lines = 3_000;
        var store = new FileCheckpointStore(Checkpoints);
        File.WriteAllText(Input, string.Empty);
        using var done = new CancellationTokenSource();
        var runsCompleted = 0;
        var writer = Task.Run(() =>
        {
            using var file = new FileStream(Input, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var random = new Random(10);
            for (var i = 0; i < Lines; i++)
            {
                // Each line in two writes, flushed apart, so readers often find half a line at the end.
                var bytes = Encoding.UTF8.GetBytes($"{{\"id\":{i},\"pad\":\"{new string('x', random.Next(0, 40))}\"}}\n");
                var cut = random.Next(1, bytes.Length);
                file.Write(bytes, 0, cut);
                file.Flush();
                if (i % 500 == 250)
                {
                    // Now and then hold the half line until a whole run has seen it.
                    var until = Volatile.Read(ref runsCompleted) + 2;
                    using var timeout = new CancellationTokenSource(Guard);
                    while (Volatile.Read(ref runsCompleted) < until)
                    {
                        Thread.Sleep(1);
                        timeout.Token.ThrowIfCancellationRequested();
                    }
                }

                file.Write(bytes, cut, bytes.Length - cut);
                file.Flush();
            }
        });

        List<long> read = [];
        var tails = 0;
        while (!writer.IsCompleted)
        {
            var (ids, letters, source) = await RunOnceAsync(store);
            Assert.Empty(letters);
            read.AddRange(ids);
            tails += source.Notices.Count(n => n.Kind == JsonLinesSourceNoticeKind.UnterminatedTail);
            Interlocked.Increment(ref runsCompleted);
        }

        await writer;
        var (last, lastLetters, lastSource) = await RunOnceAsync(store);
        read.AddRange(last);

        Assert.Empty(lastLetters);
        Assert.True(tails >= Lines / 500, $"runs found a half-written last line {tails} times");
        Assert.Equal(Enumerable.Range(0, Lines).Select(i => (long)i), read); // 0 lost, 0 duplicated, in order
        Assert.Equal(new FileInfo(Input).Length, lastSource.CommittedOffset);
    }

    [Fact]
    public async Task Open_CheckpointOfARotatedFileWithLinesOfTheSameLength_ReadsTheNewFileFromTheStart()
    {
        File.WriteAllText(Input, string.Concat(Enumerable.Range(0, 10).Select(Line)));
        var store = new FileCheckpointStore(Checkpoints);
        var (first, _, _) = await RunOnceAsync(store);

        // Rotated: the old file renamed away, a new one of exactly the same length (so the offset is a line start) in its place.
        File.Move(Input, Input + ".1");
        File.WriteAllText(Input, string.Concat(Enumerable.Range(10, 10).Select(Line)));
        var (second, _, source) = await RunOnceAsync(store);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), first);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), second);
        var notice = Assert.Single(source.Notices);
        Assert.Equal(JsonLinesSourceNoticeKind.Replaced, notice.Kind);
        Assert.Contains("rotated or replaced", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_FileRewrittenInPlaceWithTheSameLength_ReadsItFromTheStart()
    {
        File.WriteAllText(Input, string.Concat(Enumerable.Range(0, 10).Select(Line)));
        var store = new FileCheckpointStore(Checkpoints);
        await RunOnceAsync(store);

        // The same file (same inode), truncated and rewritten: only its first bytes tell.
        using (var file = new FileStream(Input, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(10, 10).Select(Line))));
        }

        var (second, _, source) = await RunOnceAsync(store);

        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), second);
        Assert.Equal(JsonLinesSourceNoticeKind.Replaced, Assert.Single(source.Notices).Kind);
    }

    [Fact]
    public async Task Open_CheckpointBeyondTheEndOfATruncatedFile_ReadsItFromTheStartWithANotice()
    {
        File.WriteAllText(Input, string.Concat(Enumerable.Range(0, 10).Select(Line)));
        var store = new FileCheckpointStore(Checkpoints);
        await RunOnceAsync(store);

        using (var file = new FileStream(Input, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(Encoding.UTF8.GetBytes(Line(0) + Line(1)));
        }

        var (second, _, source) = await RunOnceAsync(store);

        Assert.Equal([0L, 1L], second);
        Assert.Equal(JsonLinesSourceNoticeKind.Truncated, Assert.Single(source.Notices).Kind);
    }

    [Fact]
    public async Task Open_MissingFile_FailsWithInputFileNotFoundExceptionNamingThePath()
    {
        var missing = Path.Combine(_dir, "no-such-folder", "missing.jsonl");
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();

        var error = await Assert.ThrowsAsync<InputFileNotFoundException>(() =>
            Pipeline.From(new JsonLinesSource(missing)).To(sink).Build().RunAsync().WaitAsync(Guard));

        Assert.Equal(missing, error.Path);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal(Errors.ErrorClass.Fatal, error.ErrorClass);
    }

    [Fact]
    public async Task Follow_WriterAppendsHalfLinesThenRotatesAndTruncates_EveryLineReadOnceAndTheCheckpointIsOnTheLastFile()
    {
        File.WriteAllText(Input, string.Empty);
        var store = new FileCheckpointStore(Checkpoints);
        var sink = new CollectionSink<long>();
        var letters = new CollectionSink<DeadLetter>();
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store, Follow = true, PollInterval = TimeSpan.FromMilliseconds(5) });
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(20) })
            .Map(r => Id(JsonRecord.Parse(r.Value.ToArray())), "decode")
            .OnError(e => e.DeadLetterTo(letters))
            .To(sink)
            .Build()
            .Start();

        await AppendAsync(Input, 0, 200);
        await WaitForAsync(() => sink.Records.Count >= 200);

        // Rotation: the old file ends with a line without its line end and is renamed away; a new file takes the path.
        File.AppendAllText(Input, Line(200) + Line(201).TrimEnd('\n'));
        await WaitForAsync(() => sink.Records.Count >= 201);
        File.Move(Input, Input + ".1");
        await AppendAsync(Input, 202, 100);
        await WaitForAsync(() => sink.Records.Count >= 302);

        // Truncation in place while followed: the writer empties the file and starts again.
        using (var file = new FileStream(Input, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
        }

        await AppendAsync(Input, 302, 50);
        await WaitForAsync(() => sink.Records.Count >= 352);
        await run.StopAsync().WaitAsync(Guard);

        Assert.Equal(Enumerable.Range(0, 352).Select(i => (long)i), sink.Records);
        Assert.Empty(letters.Records);
        Assert.Contains(source.Notices, n => n.Kind == JsonLinesSourceNoticeKind.RotatedTailRead);
        Assert.Contains(source.Notices, n => n.Kind == JsonLinesSourceNoticeKind.Replaced);
        Assert.Contains(source.Notices, n => n.Kind == JsonLinesSourceNoticeKind.Truncated);

        // The last commit is the truncated file's end, with its identity: a restart reads nothing again.
        var (again, _, restarted) = await RunOnceAsync(store);
        Assert.Empty(again);
        Assert.Empty(restarted.Notices);
        Assert.Equal(new FileInfo(Input).Length, restarted.CommittedOffset);
    }

    [Fact]
    public async Task Follow_PollsOnItsTimeProvider_ALineAppendedAtTheEndIsReadAfterTheInterval()
    {
        File.WriteAllText(Input, Line(0) + "{\"id\":1");
        var time = new Support.ManualTimeProvider();
        var sink = new CollectionSink<long>();
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { Follow = true, PollInterval = TimeSpan.FromSeconds(30), TimeProvider = time });
        var run = Pipeline.From(source, new PipelineOptions { TimeProvider = time, CommitInterval = Timeout.InfiniteTimeSpan })
            .Map(r => Id(JsonRecord.Parse(r.Value.ToArray())), "decode")
            .To(sink)
            .Build()
            .Start();
        await WaitForAsync(() => sink.Records.Count == 1);

        File.AppendAllText(Input, "}\n");
        for (var i = 0; i < 1_000 && sink.Records.Count < 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(5);
        }

        await run.StopAsync().WaitAsync(Guard);
        Assert.Equal([0L, 1L], sink.Records);
        Assert.Equal(new FileInfo(Input).Length, source.CommittedOffset);
    }

    /// <summary>A line of the same length for every id below 10^6.</summary>
    private static string Line(int id) => $"{{\"id\":{id},\"p\":\"{new string('x', 6 - id.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)}\"}}\n";

    private static long Id(JsonRecord record) => record.TryGetInt64("id", out var id) ? id : -1;

    private static async Task AppendAsync(string path, int first, int count)
    {
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        for (var i = first; i < first + count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(Line(i));
            await file.WriteAsync(bytes.AsMemory(0, 5));
            await file.FlushAsync();
            await file.WriteAsync(bytes.AsMemory(5));
            await file.FlushAsync();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>One finite run with a checkpoint, decoding each line (a torn line would be a dead letter).</summary>
    private async Task<(List<long> Ids, IReadOnlyList<DeadLetter> Letters, JsonLinesSource Source)> RunOnceAsync(ICheckpointStore store)
    {
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store });
        var sink = new CollectionSink<long>();
        var letters = new CollectionSink<DeadLetter>();
        await Pipeline.From(source)
            .Map(r => Id(JsonRecord.Parse(r.Value.ToArray())), "decode")
            .OnError(e => e.DeadLetterTo(letters))
            .To(sink)
            .Build()
            .RunAsync()
            .WaitAsync(Guard);
        return ([.. sink.Records], letters.Records, source);
    }
}
