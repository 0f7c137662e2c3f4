using System.Diagnostics;
using System.Security.Cryptography;
using Renci.SshNet;

namespace DataWeaver.Sftp.Tests.Support;

/// <summary>
/// The OpenSSH server of eng/services/sshd.sh on 127.0.0.1:2222: its host key's fingerprint, the test user's password and
/// key, and a plain client for setting up and reading back remote files. Each test works in a folder of its own.
/// </summary>
internal static class SftpTestServer
{
    public const string Host = "127.0.0.1";
    public const int Port = 2222;
    public const string Username = "dwsftp";
    public const string Password = "dwsftp-test-password";
    public const string Home = "/srv/dataweaver-sftp";
    public const string ServiceDirectory = "/tmp/dataweaver-sshd";

    /// <summary>Gets the SHA-256 fingerprint of the server's host key, as <c>ssh-keygen -lf</c> prints it.</summary>
    public static string HostKeyFingerprint => FingerprintOf(Path.Combine(ServiceDirectory, "ssh_host_ed25519_key.pub"));

    /// <summary>Gets the test user's private key (OpenSSH format, not encrypted).</summary>
    public static string PrivateKey => File.ReadAllText(KeyFile);

    public static string KeyFile
    {
        get
        {
            var path = Path.Combine(ServiceDirectory, "client_ed25519");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: start the test server with 'source eng/services/sshd.sh'.");
        }
    }

    /// <summary>The fingerprint of a public key file: SHA256 and the unpadded base64 of the key blob's SHA-256.</summary>
    public static string FingerprintOf(string publicKeyFile)
    {
        var blob = Convert.FromBase64String(File.ReadAllText(publicKeyFile).Split(' ')[1]);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    /// <summary>Connection options with the password only.</summary>
    public static SftpConnectionOptions PasswordConnection(int port = Port) => new()
    {
        Host = Host,
        Port = port,
        Username = Username,
        Password = Password,
        HostKeyFingerprint = HostKeyFingerprint,
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>
    /// The test user's key encrypted with <paramref name="passphrase"/> (a copy re-encrypted by ssh-keygen -p: the same
    /// key, so the server accepts it), for tests whose canary secret is the passphrase.
    /// </summary>
    public static string EncryptedKey(string passphrase, string directory)
    {
        var copy = Path.Combine(directory, "key-" + Guid.NewGuid().ToString("N"));
        File.Copy(KeyFile, copy);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var process = Process.Start(new ProcessStartInfo("ssh-keygen", ["-q", "-p", "-N", passphrase, "-f", copy]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("ssh-keygen -p failed: " + process.StandardError.ReadToEnd());
        }

        var text = File.ReadAllText(copy);
        File.Delete(copy);
        return text;
    }

    /// <summary>A connected client for setting up and reading back remote files (not the code under test).</summary>
    public static SftpClient Client(int port = Port)
    {
        var client = new SftpClient(Host, port, Username, Password);
        client.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256.TrimEnd('=') == HostKeyFingerprint;
        client.Connect();
        return client;
    }

    /// <summary>Creates a fresh remote folder for a test and returns its absolute path.</summary>
    public static string NewFolder(string name)
    {
        var folder = $"{Home}/t-{name}-{Guid.NewGuid():N}";
        using var client = Client();
        client.CreateDirectory(folder);
        return folder;
    }

    public static void Upload(string localFile, string remotePath)
    {
        using var client = Client();
        using var input = File.OpenRead(localFile);
        client.UploadFile(input, remotePath, canOverride: true);
    }

    /// <summary>Downloads a remote file to a local one; <see langword="false"/> when the remote file does not exist.</summary>
    public static bool Download(string remotePath, string localFile)
    {
        using var client = Client();
        if (!client.Exists(remotePath))
        {
            return false;
        }

        using var output = File.Create(localFile);
        client.DownloadFile(remotePath, output);
        return true;
    }

    public static byte[] ReadAllBytes(string remotePath)
    {
        using var client = Client();
        return client.Exists(remotePath) ? client.ReadAllBytes(remotePath) : [];
    }

    public static void AppendAllBytes(string remotePath, byte[] bytes)
    {
        using var client = Client();
        using var stream = client.Open(remotePath, FileMode.Append, FileAccess.Write);
        stream.Write(bytes);
    }

    public static IReadOnlyList<string> List(string folder)
    {
        using var client = Client();
        return [.. client.ListDirectory(folder).Where(f => f.IsRegularFile).Select(f => f.Name).Order(StringComparer.Ordinal)];
    }
}
