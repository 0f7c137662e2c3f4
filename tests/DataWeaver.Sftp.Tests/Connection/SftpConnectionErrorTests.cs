using DataWeaver.Errors;
using DataWeaver.Sftp.Tests.Support;

namespace DataWeaver.Sftp.Tests.Connection;

/// <summary>Wrong credentials and wrong host keys give typed, fatal errors that name the user and server and never the secret.</summary>
public sealed class SftpConnectionErrorTests : IDisposable
{
    private const string WrongPassword = "wrong-canary-password-4711";
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sftp-errors-").FullName;
    private readonly string _remote = $"{SftpTestServer.NewFolder("errors")}/in.jsonl";

    [Fact]
    public async Task Open_WrongPassword_AuthenticationErrorWithoutThePassword()
    {
        var error = await OpenFailsAsync(SftpTestServer.PasswordConnection() with { Password = WrongPassword });

        Assert.Equal(SftpErrorKind.Authentication, error.Kind);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains("refused user 'dwsftp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:2222", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WrongHostKeyFingerprint_HostKeyErrorBeforeAnyCredentialIsSent()
    {
        const string Pinned = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        var error = await OpenFailsAsync(SftpTestServer.PasswordConnection() with { HostKeyFingerprint = Pinned, Password = WrongPassword });

        Assert.Equal(SftpErrorKind.HostKey, error.Kind);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains(SftpTestServer.HostKeyFingerprint, error.Message, StringComparison.Ordinal); // what the server presented
        Assert.Contains(Pinned, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_KeyWithWrongPassphrase_AuthenticationErrorWithoutThePassphraseOrKey()
    {
        const string Passphrase = "right-canary-passphrase-31";
        const string Wrong = "wrong-canary-passphrase-32";
        var key = SftpTestServer.EncryptedKey(Passphrase, _directory);
        var error = await OpenFailsAsync(SftpTestServer.PasswordConnection() with { Password = null, PrivateKey = key, PrivateKeyPassphrase = Wrong });

        Assert.Equal(SftpErrorKind.Authentication, error.Kind);
        Assert.DoesNotContain(Wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key.Split('\n')[1], error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_KeyOnly_ReadsTheFile()
    {
        SftpTestServer.AppendAllBytes(_remote, "{\"id\":1}\n{\"id\":2}\n"u8.ToArray());
        var source = new SftpSource(_remote, Options(SftpTestServer.PasswordConnection() with { Password = null, PrivateKey = SftpTestServer.PrivateKey }));
        await source.OpenAsync();
        var ids = new List<long>();
        await foreach (var record in source.ReadAsync())
        {
            ids.Add(SftpFormatCase.Json.Id(record));
        }

        await source.CloseAsync();
        Assert.Equal([1, 2], ids);
    }

    [Fact]
    public void Create_NoHostKeyFingerprint_RefusedUnlessAcceptAnyHostKeyIsSet()
    {
        var unpinned = SftpTestServer.PasswordConnection() with { HostKeyFingerprint = null };

        var error = Assert.Throws<ArgumentException>(() => new SftpSource(_remote, Options(unpinned)));
        Assert.Contains("HostKeyFingerprint is required", error.Message, StringComparison.Ordinal);
        Assert.NotNull(new SftpSource(_remote, Options(unpinned with { AcceptAnyHostKey = true })));
    }

    [Fact]
    public async Task Open_AcceptAnyHostKeySetExplicitly_Connects()
    {
        SftpTestServer.AppendAllBytes(_remote, "{\"id\":7}\n"u8.ToArray());
        var source = new SftpSource(_remote, Options(SftpTestServer.PasswordConnection() with { HostKeyFingerprint = null, AcceptAnyHostKey = true }));
        await source.OpenAsync();
        await source.CloseAsync();
    }

    [Fact]
    public void ToString_Connection_HoldsNoSecret()
    {
        var options = SftpTestServer.PasswordConnection() with { Password = WrongPassword, PrivateKey = "KEY-TEXT-CANARY", PrivateKeyPassphrase = "PASS-CANARY" };

        var text = options.ToString();

        Assert.Equal("sftp://dwsftp@127.0.0.1:2222 (key and password)", text);
    }

    [Fact]
    public async Task Open_MissingPath_NotFoundError()
    {
        var error = await OpenFailsAsync(SftpTestServer.PasswordConnection(), $"{SftpTestServer.Home}/no-such-folder/in.jsonl");

        Assert.Equal(SftpErrorKind.NotFound, error.Kind);
        Assert.Contains("no-such-folder", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SftpSourceOptions Options(SftpConnectionOptions connection) =>
        new() { Connection = connection, Format = SftpFormatCase.Json.Source(_directory, _remote, SftpCredentials.Default).Options.Format };

    private async Task<SftpException> OpenFailsAsync(SftpConnectionOptions connection, string? path = null)
    {
        var source = new SftpSource(path ?? _remote, Options(connection));
        var error = await Assert.ThrowsAsync<SftpException>(async () => await source.OpenAsync());
        await source.CloseAsync();
        return error;
    }
}
