using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Pipelines;
using DataWeaver.Sftp.Tests.Support;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Sftp.Tests.Source;

/// <summary>The never-lose-data rules of the local file source, over SFTP: half-written lines, replaced files, patterns.</summary>
public sealed class SftpSourceFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sftp-source-").FullName;
    private readonly string _folder = SftpTestServer.NewFolder("source");
    private readonly InMemoryCheckpointStore _checkpoints = new();

    [Fact]
    public async Task Read_HalfWrittenLastLine_NotReadNorCommittedUntilComplete()
    {
        var remote = $"{_folder}/growing.jsonl";
        SftpTestServer.AppendAllBytes(remote, "{\"id\":0}\n{\"id\":1}\n{\"id\":"u8.ToArray());

        var first = await RunAsync(remote);
        SftpTestServer.AppendAllBytes(remote, "2}\n{\"id\":3}\n"u8.ToArray());
        var second = await RunAsync(remote);

        Assert.Equal([0, 1], first.Ids);
        Assert.Contains(first.Notices, n => n.Contains("not a complete record", StringComparison.Ordinal));
        Assert.Equal([2, 3], second.Ids);
    }

    [Fact]
    public async Task Read_FileReplacedSinceTheCheckpoint_ReadFromItsStartWithANotice()
    {
        var remote = $"{_folder}/rotated.jsonl";
        SftpTestServer.AppendAllBytes(remote, Lines(100, 100));
        var first = await RunAsync(remote);
        using (var client = SftpTestServer.Client())
        {
            client.DeleteFile(remote); // rotated: a new file of the same length under the same name
        }

        SftpTestServer.AppendAllBytes(remote, Lines(500, 100));
        var second = await RunAsync(remote);

        Assert.Equal(Enumerable.Range(100, 100).Select(i => (long)i), first.Ids);
        Assert.Equal(Enumerable.Range(500, 100).Select(i => (long)i), second.Ids);
        Assert.Contains(second.Notices, n => n.Contains("read from its start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_Pattern_MatchingFilesInNameOrderEachResumedOnItsOwn()
    {
        SftpTestServer.AppendAllBytes($"{_folder}/b.jsonl", Lines(100, 10));
        SftpTestServer.AppendAllBytes($"{_folder}/a.jsonl", Lines(0, 10));
        SftpTestServer.AppendAllBytes($"{_folder}/c.txt", Lines(900, 10));

        var first = await RunAsync($"{_folder}/*.jsonl");
        SftpTestServer.AppendAllBytes($"{_folder}/a.jsonl", Lines(10, 5));
        var second = await RunAsync($"{_folder}/*.jsonl");

        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => (long)i), .. Enumerable.Range(100, 10).Select(i => (long)i)], first.Ids);
        Assert.Equal(Enumerable.Range(10, 5).Select(i => (long)i), second.Ids);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Lines(int first, int count) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(first, count).Select(i => $"{{\"id\":{i}}}\n")));

    /// <summary>One pipeline run over the source to its end, committing into the test's checkpoint store.</summary>
    private async Task<(IReadOnlyList<long> Ids, IReadOnlyList<string> Notices)> RunAsync(string path)
    {
        var configured = SftpFormatCase.Json.Source(_directory, path, SftpCredentials.Default);
        var source = new SftpSource(configured.Path, configured.Options with { CheckpointStore = _checkpoints });
        var probe = new SequenceProbeSink<DataWeaver.Serialization.Json.JsonRecord>(SftpFormatCase.Json.Id);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero }).To(probe).Build().Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        return (probe.Ids, source.Notices);
    }
}
