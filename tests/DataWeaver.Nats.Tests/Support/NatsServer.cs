using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataWeaver.Brokers.Harness;

namespace DataWeaver.Nats.Tests.Support;

/// <summary>
/// A nats-server of the test's own (JetStream, loopback, a free port, a fresh store directory), so a test can restart or
/// kill its broker without disturbing others. nats-server is installed by eng/services/nats.sh.
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), "dw-nats-test-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    private readonly string? _token;

    private NatsServer(int port, string? token)
    {
        Port = port;
        _token = token;
    }

    public int Port { get; }

    public string Url => string.Create(CultureInfo.InvariantCulture, $"nats://127.0.0.1:{Port}");

    /// <summary>Starts a server; with <paramref name="token"/>, clients must authenticate with it.</summary>
    public static async Task<NatsServer> StartAsync(string? token = null)
    {
        var server = new NatsServer(LocalServers.FreePort(), token);
        await server.StartProcessAsync();
        return server;
    }

    public static byte[] Json(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}"));

    public static long Id(ReadOnlySpan<byte> json)
    {
        var digits = json["{\"id\":".Length..];
        return long.Parse(digits[..digits.IndexOf((byte)'}')], CultureInfo.InvariantCulture);
    }

    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    public NatsStreamOptions Options(string? secret = null) => new()
    {
        Url = Url,
        ClientName = secret is null ? "dataweaver-tests" : "tests-" + secret,
        SecretValues = secret is null ? [] : [secret],
        OperationTimeout = TimeSpan.FromSeconds(10),
    };

    public async Task<NatsStreamFramework> FrameworkAsync(NatsStreamOptions? options = null)
    {
        var framework = new NatsStreamFramework(options ?? Options());
        await framework.StartAsync();
        return framework;
    }

    /// <summary>
    /// Stops the server gracefully (SIGTERM: it flushes its store, consumer acknowledgement floors included) and starts it
    /// again on the same port and store. (A SIGKILLed nats-server 2.9 may lose the last seconds of acknowledgement floors:
    /// nothing is lost, more is read again.)
    /// </summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    /// <summary>Stops the server gracefully (SIGTERM), its store kept; <see cref="RestartAsync"/> starts it again.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term!.WaitForExitAsync();
            await process.WaitForExitAsync();
        }

        await StopProcessAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        try
        {
            Directory.Delete(_store, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        List<string> arguments = ["-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", _store];
        if (_token is not null)
        {
            arguments.AddRange(["--auth", _token]);
        }

        _process = await LocalServers.StartAsync(new ProcessStartInfo("nats-server", arguments), Port);
        await Task.Delay(50); // JetStream is ready right after the listener in 2.9; a short margin
    }

    private async Task StopProcessAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }
}
