using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DataWeaver.Mqtt.Tests.Support;

/// <summary>
/// A mosquitto of the test's own (loopback, a free port, persistence in a fresh folder, configured like eng/services/mosquitto.sh),
/// so a test can restart its broker without disturbing the others. mosquitto is installed by eng/services/mosquitto.sh.
/// </summary>
internal sealed class MosquittoServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-mosquitto-").FullName;
    private Process? _process;

    private MosquittoServer(int port) => Port = port;

    public int Port { get; }

    public static async Task<MosquittoServer> StartAsync()
    {
        var server = new MosquittoServer(FreePort());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(server._directory, (UnixFileMode)0b111_111_111); // mosquitto started as root runs as the mosquitto user
        }

        await File.WriteAllTextAsync(server.ConfigFile, string.Create(CultureInfo.InvariantCulture, $"""
            listener {server.Port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {server._directory}/
            log_dest file {server._directory}/mosquitto.log
            max_queued_messages 1000000
            max_inflight_messages 0

            """));
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>
    /// Stops the broker gracefully (SIGTERM: it writes its sessions, subscriptions and queued messages to its persistence file),
    /// waits <paramref name="down"/>, and starts it again on the same port and persistence.
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        if (_process is { HasExited: false } process)
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term!.WaitForExitAsync();
            await process.WaitForExitAsync();
        }

        await Task.Delay(down);
        await StartProcessAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string ConfigFile => Path.Combine(_directory, "mosquitto.conf");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartProcessAsync()
    {
        _process?.Dispose();
        _process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", ConfigFile]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("mosquitto did not start (run eng/services/mosquitto.sh to install it).");
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"mosquitto did not listen on port {Port}: {File.ReadAllText(Path.Combine(_directory, "mosquitto.log"))}");
    }
}
