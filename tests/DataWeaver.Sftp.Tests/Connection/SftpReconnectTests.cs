using DataWeaver.Sftp.Tests.Support;

namespace DataWeaver.Sftp.Tests.Connection;

/// <summary>
/// Connections cut for real: a server of the test's own is SIGKILLed with every connection's process and started again
/// on the same port mid-read and mid-write. The source reads on from its last record and the sink cuts a half-sent batch
/// and writes it again: every record exactly once, in order.
/// </summary>
public sealed class SftpReconnectTests : IDisposable
{
    private const int Records = 60_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sftp-reconnect-").FullName;
    private readonly string _folder = SftpTestServer.NewFolder("reconnect");

    [Fact]
    public async Task Read_ServerKilledAndRestartedMidFile_EveryRecordOnceInOrder()
    {
        await using var server = await OwnSshServer.StartNewAsync();
        var remote = $"{_folder}/in.jsonl";
        await SftpFormatCase.Json.WriteInputAsync(_directory, remote, Records);
        var source = SftpFormatCase.Json.Source(_directory, remote, SftpCredentials.Default, port: server.Port);
        await source.OpenAsync();
        List<long> ids = [];
        await foreach (var record in source.ReadAsync())
        {
            ids.Add(SftpFormatCase.Json.Id(record));
            if (ids.Count == 1_000)
            {
                await server.KillAsync();
                await server.StartAsync();
            }
        }

        await source.CloseAsync();
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), ids);
        Assert.Contains(source.Notices, n => n.Contains("was lost", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Write_ServerKilledAndRestartedBetweenBatches_EveryRecordOnceInOrder(bool append)
    {
        await using var server = await OwnSshServer.StartNewAsync();
        var remote = $"{_folder}/out-{append}.jsonl";
        var sink = SftpFormatCase.Json.Sink(_directory, remote, append, SftpCredentials.Default, port: server.Port);
        await sink.OpenAsync();
        const int Batch = 1_000;
        for (var first = 0; first < Records; first += Batch)
        {
            if (first == Records / 2)
            {
                await server.KillAsync();
                await server.StartAsync();
            }

            await sink.WriteAsync(Enumerable.Range(first, Batch).Select(i => SftpFormatCase.Json.Record(i)).ToArray());
        }

        await sink.FlushAsync();
        await sink.CloseAsync();
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), await SftpFormatCase.Json.ReadIdsAsync(_directory, remote));
        Assert.DoesNotContain(SftpTestServer.List(_folder), name => name.Contains(".dw-tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Write_ServerGoneForGood_TransientConnectionErrorAfterTheAttempts()
    {
        var server = await OwnSshServer.StartNewAsync();
        var sink = SftpFormatCase.Json.Sink(_directory, $"{_folder}/gone.jsonl", append: true, SftpCredentials.Default, port: server.Port);
        await sink.OpenAsync();
        await server.DisposeAsync();

        var error = await Assert.ThrowsAsync<SftpException>(async () => await sink.WriteAsync(new[] { SftpFormatCase.Json.Record(1) }));
        await sink.CloseAsync();

        Assert.Equal(SftpErrorKind.Connection, error.Kind);
        Assert.True(error.IsTransient);
        Assert.DoesNotContain(SftpTestServer.Password, error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
