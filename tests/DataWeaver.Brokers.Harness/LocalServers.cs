using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataWeaver.Brokers.Harness;

/// <summary>Brokers that a test runs itself (its own nats-server, mosquitto) on a free loopback port, so it can restart them.</summary>
public static class LocalServers
{
    /// <summary>A loopback port free right now.</summary>
    /// <returns>The port.</returns>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a server process (its output read and dropped) and waits until it accepts connections on <paramref name="port"/>.</summary>
    /// <param name="info">The process; its output is redirected.</param>
    /// <param name="port">The loopback port it listens on.</param>
    /// <returns>The running process.</returns>
    /// <exception cref="InvalidOperationException">It did not start, or did not listen within 5 seconds.</exception>
    public static async Task<Process> StartAsync(ProcessStartInfo info, int port)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start (eng/services/ installs it).");
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"{info.FileName} did not listen on port {port}.");
    }
}
