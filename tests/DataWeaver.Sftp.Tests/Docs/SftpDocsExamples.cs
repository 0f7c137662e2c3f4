using System.Globalization;
using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Formats.Csv;
using DataWeaver.Pipelines;
using DataWeaver.Sftp.Tests.Support;

namespace DataWeaver.Sftp.Tests.Docs;

/// <summary>The examples of docs/sftp.md (checked against the page by DocSnippetTests), run against the real OpenSSH server.</summary>
public sealed class SftpDocsExamples : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sftp-docs-").FullName;

    [Fact]
    public async Task ExampleFile_TwoCliRunsWithNewLinesBetween_EveryOrderOnceAndBadLinesDeadLettered()
    {
        var drop = SftpTestServer.NewFolder("drop");
        var archive = SftpTestServer.NewFolder("archive");
        SftpTestServer.AppendAllBytes($"{drop}/orders-1.jsonl", Orders(0, 5));
        SftpTestServer.AppendAllBytes($"{drop}/orders-2.jsonl", [.. Orders(5, 5), .. "not json\n"u8, .. "{\"id\":"u8]); // a bad line, and one being written
        SftpTestServer.AppendAllBytes($"{drop}/other.jsonl", Orders(100, 5));
        var file = Path.Combine(AppContext.BaseDirectory, "examples", "sftp-orders.yaml");
        var environment = new Dictionary<string, string>
        {
            ["SFTP_PORT"] = SftpTestServer.Port.ToString(CultureInfo.InvariantCulture),
            ["SFTP_USER"] = SftpTestServer.Username,
            ["SFTP_HOST_KEY"] = SftpTestServer.HostKeyFingerprint,
            ["SFTP_DROP"] = drop,
            ["SFTP_ARCHIVE"] = archive,
            ["STATE_DIR"] = Path.Combine(_directory, "state"),
        };

        var first = await Cli.RunToEndAsync(file, environment);
        SftpTestServer.AppendAllBytes($"{drop}/orders-2.jsonl", "10}\n"u8.ToArray()); // the line being written is complete now
        SftpTestServer.AppendAllBytes($"{drop}/orders-1.jsonl", Orders(11, 3));
        var second = await Cli.RunToEndAsync(file, environment);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], (await SftpFormatCase.Json.ReadIdsAsync(_directory, $"{archive}/orders.jsonl")).Order());
        var rejected = Encoding.UTF8.GetString(SftpTestServer.ReadAllBytes($"{archive}/orders-rejected.jsonl"));
        Assert.Single(rejected.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not json", rejected, StringComparison.Ordinal);
        Assert.DoesNotContain(SftpTestServer.Password, first.Output + second.Output + rejected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleFile_WrongPassword_FailsNamingTheUserWithoutThePassword()
    {
        const string Wrong = "wrong-canary-password-777";
        var drop = SftpTestServer.NewFolder("drop");
        var file = Path.Combine(AppContext.BaseDirectory, "examples", "sftp-orders.yaml");
        var environment = new Dictionary<string, string>
        {
            ["SFTP_PORT"] = SftpTestServer.Port.ToString(CultureInfo.InvariantCulture),
            ["SFTP_USER"] = SftpTestServer.Username,
            ["SFTP_PASSWORD"] = Wrong,
            ["SFTP_HOST_KEY"] = SftpTestServer.HostKeyFingerprint,
            ["SFTP_DROP"] = drop,
            ["SFTP_ARCHIVE"] = drop,
            ["STATE_DIR"] = Path.Combine(_directory, "state"),
        };

        var (exitCode, output) = await Cli.RunToEndAsync(file, environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("refused user 'dwsftp'", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvCopy_DocsExample_CopiesTheRemoteCsvFiles()
    {
        var inbox = SftpTestServer.NewFolder("inbox");
        var outbox = SftpTestServer.NewFolder("outbox");
        SftpTestServer.AppendAllBytes($"{inbox}/day-1.csv", "id,item\n1,pen\n2,ink\n"u8.ToArray());
        SftpTestServer.AppendAllBytes($"{inbox}/day-2.csv", "id,item\n3,pad\n"u8.ToArray());
        var password = SftpTestServer.Password;
        var fingerprint = SftpTestServer.HostKeyFingerprint;
        var stateFolder = Path.Combine(_directory, "state");

        // snippet: sftp-csv-copy
        var connection = new SftpConnectionOptions
        {
            Host = "127.0.0.1",
            Port = 2222,
            Username = "dwsftp",
            Password = password,                      // a secret: from a vault or the environment, never in code
            HostKeyFingerprint = fingerprint,         // "SHA256:..." as ssh-keygen -lf prints it
        };
        var csv = new CsvFileFormat(new CsvFormatOptions());
        var source = new SftpSource($"{inbox}/*.csv", new SftpSourceOptions
        {
            Connection = connection,
            Format = csv,
            CheckpointStore = new FileCheckpointStore(stateFolder), // a checkpoint per remote file
        });
        var sink = new SftpSink($"{outbox}/all.csv", new SftpSinkOptions { Connection = connection, Format = csv, Append = true });
        await Pipeline.From(source).To(sink).Build().Start().Completion;
        // end snippet

        Assert.Equal("id,item\n1,pen\n2,ink\n3,pad\n", Encoding.UTF8.GetString(SftpTestServer.ReadAllBytes($"{outbox}/all.csv")).ReplaceLineEndings("\n"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Orders(int first, int count) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(first, count).Select(i => $"{{\"id\":{i},\"total\":{i * 10}}}\n")));
}
