using System.Diagnostics;
using System.Globalization;
using DataWeaver.Brokers.Harness;

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

    /// <param name="logAll">Logs every packet (log_type all; for small tests, whose failure then shows the broker's view).</param>
    public static async Task<MosquittoServer> StartAsync(bool logAll = false)
    {
        var server = new MosquittoServer(LocalServers.FreePort());
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
            {(logAll ? "log_type all" : "")}

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

    /// <summary>The last lines of the broker's log, for a failing test's output.</summary>
    public string Log(int lines = 40)
    {
        var path = Path.Combine(_directory, "mosquitto.log");
        return File.Exists(path) ? string.Join(Environment.NewLine, File.ReadLines(path).TakeLast(lines)) : "(no mosquitto log)";
    }

    private string ConfigFile => Path.Combine(_directory, "mosquitto.conf");

    private async Task StartProcessAsync()
    {
        _process?.Dispose();
        _process = await LocalServers.StartAsync(new ProcessStartInfo("mosquitto", ["-c", ConfigFile]), Port);
    }
}

/// <summary>
/// Tests that restart a broker (their own mosquitto) run alone: a restart under two loaded cores, beside other tests of the
/// project, can push a neighbour's guard (the NATS server-restart test once missed its 60 s guard that way).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MqttBrokerRestartCollection
{
    public const string Name = "MQTT broker restarts";
}
