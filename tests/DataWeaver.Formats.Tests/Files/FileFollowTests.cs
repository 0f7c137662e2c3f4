using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Formats.Tests.Contract;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;
using DataWeaver.Testing.Time;

namespace DataWeaver.Formats.Tests.Files;

/// <summary>
/// The <c>file</c> source with <c>follow: true</c> (issue 10, build 4): a growing file is read as it grows, a record only
/// once it is complete (never a checkpoint inside one), and truncation and rotation are told by the file's identity and
/// first bytes, not by its length.
/// </summary>
public sealed class FileFollowTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-follow-").FullName;

    public static TheoryData<string> Formats => ["json", "text", "csv", "protobuf"];

    public static TheoryData<string> AllFormats => ["json", "text", "csv", "protobuf", "avro"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(AllFormats))]
    public async Task Follow_WriterAppendsCutRecordsThenRotatesAndTruncatesWithSameLengths_EveryRecordOnceAndTheCheckpointOnTheLastFile(string name)
    {
        var format = Case(name);
        var input = Path.Combine(_dir, "in" + format.Extension);
        File.WriteAllBytes(input, []);
        var first = await BytesAsync(format, 1000, 100);
        var rotated = await BytesAsync(format, 2000, 100);
        var truncated = await BytesAsync(format, 3000, 50);
        var rewritten = await BytesAsync(format, 4000, 50);
        Assert.Equal(first.Length, rotated.Length); // the same length: only the identity tells the files apart
        Assert.Equal(truncated.Length, rewritten.Length); // only the first bytes tell them apart

        var source = format.Source(_dir, input, ", follow: true, pollInterval: 5ms, checkpointDirectory: cp");
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(20) })
            .Map(format.Id, "id")
            .To(sink)
            .Build()
            .Start();

        await AppendInPiecesAsync(input, first);
        await WaitForAsync(() => sink.Records.Count >= 100);

        File.Move(input, input + ".1"); // rotation: a new file of the same length takes the path
        File.WriteAllBytes(input, rotated);
        await WaitForAsync(() => sink.Records.Count >= 200);

        File.WriteAllBytes(input, truncated); // truncated in place (the same inode), shorter
        await WaitForAsync(() => sink.Records.Count >= 250);

        File.WriteAllBytes(input, rewritten); // rewritten in place with the same length
        await WaitForAsync(() => sink.Records.Count >= 300);
        await run.StopAsync().WaitAsync(Guard);

        long[] expected = [.. Ids(1000, 100), .. Ids(2000, 100), .. Ids(3000, 50), .. Ids(4000, 50)];
        Assert.Equal(expected, sink.Records);
        Assert.Contains(source.Notices, n => n.Kind == FileSourceNoticeKind.Replaced);
        Assert.Equal(2, source.Notices.Count(n => n.Kind == FileSourceNoticeKind.Truncated));

        // The last commit is the rewritten file's end, with its identity: a restart reads nothing again.
        var again = format.Source(_dir, input, ", checkpointDirectory: cp");
        var restarted = new CollectionSink<long>();
        await Pipeline.From(again).Map(format.Id, "id").To(restarted).Build().RunAsync().WaitAsync(Guard);
        Assert.Empty(restarted.Records);
        Assert.Empty(again.Notices);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Follow_HalfWrittenLastRecord_IsReadOnlyAfterTheNextPollOnTheClockAndNeverCommittedHalf(string name)
    {
        var format = Case(name);
        var input = Path.Combine(_dir, "in" + format.Extension);
        var bytes = await BytesAsync(format, 10, 3);
        var cut = bytes.Length - 2;
        File.WriteAllBytes(input, bytes[..cut]);
        var clock = new FakeClockHarness();
        var store = new FileCheckpointStore(Path.Combine(_dir, "cp"));
        var template = format.Source(_dir, input);
        var source = new FileSource(input, template.Options with { Follow = true, PollInterval = TimeSpan.FromSeconds(30), TimeProvider = clock.Time, CheckpointStore = store });
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, clock.WithClock(new PipelineOptions { CommitInterval = TimeSpan.FromSeconds(1) }))
            .Map(format.Id, "id")
            .To(sink)
            .Build()
            .Start();
        await WaitForAsync(() => sink.Records.Count == 2);
        await clock.AdvanceAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)); // commits, but less than one poll

        using (var file = new FileStream(input, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(bytes.AsSpan(cut));
        }

        await Task.Delay(200);
        Assert.Equal(2, sink.Records.Count); // not before the poll interval passed on the source's clock
        await clock.AdvanceUntilAsync(() => sink.Records.Count == 3, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));
        await clock.AdvanceAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        var stop = run.StopAsync();
        await clock.AdvanceUntilAsync(() => stop.IsCompleted, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        await stop.WaitAsync(Guard);

        Assert.Equal([10L, 11L, 12L], sink.Records);
        Assert.Empty(source.Notices);
    }

    [Fact]
    public async Task Follow_StoppedWithAHalfWrittenRecord_CommitsOnlyUpToTheLastCompleteOne()
    {
        var format = FileFormatCase.Json;
        var sink = new CollectionSink<long>();
        var (input, _, run) = FollowJson("{\"id\":1}\n{\"id\":2}\n{\"id\":", sink);
        await WaitForAsync(() => sink.Records.Count == 2);
        await Task.Delay(50); // polls at the torn tail
        await run.StopAsync().WaitAsync(Guard);

        File.AppendAllText(input, "3}\n");
        var again = format.Source(_dir, input, ", checkpointDirectory: cp");
        var rest = new CollectionSink<long>();
        await Pipeline.From(again).Map(format.Id, "id").To(rest).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal([1L, 2L], sink.Records);
        Assert.Equal([3L], rest.Records);
        Assert.Empty(again.Notices);
    }

    [Fact]
    public async Task Follow_RotatedAwayWithAHalfWrittenLastRecord_ReportsItUnreadAndReadsTheNewFileFromItsStart()
    {
        var sink = new CollectionSink<long>();
        var (input, source, run) = FollowJson("{\"id\":1}\n{\"id\":2}\n{\"id\":", sink);
        await WaitForAsync(() => sink.Records.Count == 2);

        File.Move(input, input + ".1");
        File.WriteAllText(input, "{\"id\":3}\n");
        await WaitForAsync(() => sink.Records.Count == 3);
        await run.StopAsync().WaitAsync(Guard);

        Assert.Equal([1L, 2L, 3L], sink.Records);
        var tail = Assert.Single(source.Notices, n => n.Kind == FileSourceNoticeKind.UnterminatedTail);
        Assert.Equal((18L, 6L), (tail.Position, tail.Bytes));
        Assert.Single(source.Notices, n => n.Kind == FileSourceNoticeKind.Replaced);
    }

    [Fact]
    public async Task Follow_TruncatedWhileRecordsAreUnacknowledged_ReadsTheFileAgainOnlyOnceTheyAreAcknowledged()
    {
        var sink = new Testing.Contracts.SequenceProbeSink<long>(id => id, gated: true);
        var (input, source, run) = FollowJson("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n", sink);
        await WaitForAsync(() => sink.Waiting > 0);

        File.WriteAllText(input, "{\"id\":10}\n"); // truncated in place while 1-3 wait at the sink
        await Task.Delay(200);
        Assert.DoesNotContain(source.Notices, n => n.Kind == FileSourceNoticeKind.Truncated); // still waiting for 1-3

        sink.OpenGate();
        await WaitForAsync(() => sink.Ids.Contains(10));
        await run.StopAsync().WaitAsync(Guard);

        Assert.Equal([1L, 2L, 3L, 10L], sink.Ids);
        Assert.Single(source.Notices, n => n.Kind == FileSourceNoticeKind.Truncated);
    }

    [Fact]
    public async Task Follow_FolderPattern_ReadsTheNewestFileAsItGrowsAndMovesOnWhenANewerOneAppears()
    {
        var format = FileFormatCase.Json;
        File.WriteAllText(Path.Combine(_dir, "a.jsonl"), "{\"id\":1}\n");
        var source = format.Source(_dir, Path.Combine(_dir, "*.jsonl"), ", follow: true, pollInterval: 5ms");
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source).Map(format.Id, "id").To(sink).Build().Start();
        await WaitForAsync(() => sink.Records.Count == 1);

        File.AppendAllText(Path.Combine(_dir, "a.jsonl"), "{\"id\":2}\n{\"id\":");
        await WaitForAsync(() => sink.Records.Count == 2);
        File.AppendAllText(Path.Combine(_dir, "a.jsonl"), "3}\n");
        File.WriteAllText(Path.Combine(_dir, "b.jsonl"), "{\"id\":4}\n");
        await WaitForAsync(() => sink.Records.Count == 4);
        File.AppendAllText(Path.Combine(_dir, "b.jsonl"), "{\"id\":5}\n");
        await WaitForAsync(() => sink.Records.Count == 5);
        await run.StopAsync().WaitAsync(Guard);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], sink.Records);
    }

    [Fact]
    public void Create_PollIntervalOutOfRange_Throws()
    {
        var options = new FileSourceOptions { Format = new Configuration.Formats.JsonLineFormat(new JsonRecordOptions()), Follow = true, PollInterval = TimeSpan.Zero };

        Assert.Throws<ArgumentOutOfRangeException>(() => new FileSource(Path.Combine(_dir, "in.jsonl"), options));
    }

    /// <summary>Starts following <c>in.jsonl</c> (with <paramref name="text"/> in it) with a checkpoint, into <paramref name="sink"/>.</summary>
    private (string Input, FileSource Source, PipelineRun Run) FollowJson(string text, Connectors.SinkConnector<long> sink)
    {
        var input = Path.Combine(_dir, "in.jsonl");
        File.WriteAllText(input, text);
        var source = FileFormatCase.Json.Source(_dir, input, ", follow: true, pollInterval: 5ms, checkpointDirectory: cp");
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(10) }).Map(FileFormatCase.Json.Id, "id").To(sink).Build().Start();
        return (input, source, run);
    }

    private static FileFormatCase Case(string name) => name switch
    {
        "json" => FileFormatCase.Json,
        "text" => FileFormatCase.Text,
        "csv" => FileFormatCase.Csv,
        "avro" => FileFormatCase.Avro,
        _ => FileFormatCase.Protobuf,
    };

    private static IEnumerable<long> Ids(int first, int count) => Enumerable.Range(first, count).Select(i => (long)i);

    /// <summary>The bytes of a file of <paramref name="count"/> records from id <paramref name="first"/>, written by the format's own sink.</summary>
    private async Task<byte[]> BytesAsync(FileFormatCase format, int first, int count)
    {
        var path = Path.Combine(_dir, $"records-{first}{format.Extension}");
        var sink = format.Sink(_dir, path, append: false);
        await sink.OpenAsync();
        await sink.WriteAsync(Ids(first, count).Select(format.Record).ToArray());
        await sink.FlushAsync();
        await sink.CloseAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>Appends in pieces of 1 to 40 bytes that cut records anywhere, flushing each.</summary>
    private static async Task AppendInPiecesAsync(string path, byte[] bytes)
    {
        var random = new Random(bytes.Length);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        for (var at = 0; at < bytes.Length;)
        {
            var n = Math.Min(bytes.Length - at, 1 + random.Next(40));
            await file.WriteAsync(bytes.AsMemory(at, n));
            await file.FlushAsync();
            at += n;
            if (random.Next(4) == 0)
            {
                await Task.Delay(1);
            }
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
}
