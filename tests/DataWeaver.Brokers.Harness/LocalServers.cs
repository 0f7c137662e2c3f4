using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataWeaver.Brokers.Harness;

/// <summary>Brokers that a test runs itself (its own nats-server, mosquitto) on a free loopback port, so it can restart them.</summary>
public static class LocalServers
{
    /// <summary>
    /// A loopback port free right now, below Linux's ephemeral range (32768-60999): a port the system hands out (bind to 0,
    /// or the local end of an outgoing connection) may be taken by another test's server or client while a test restarts
    /// its broker, which then cannot listen again.
    /// </summary>
    /// <returns>The port.</returns>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }

        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
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
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        for (var attempt = 0; attempt < 200 && !process.HasExited; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                // Something listens: make sure it is this process (one that could not bind exits at once).
                await Task.Delay(100);
                if (!process.HasExited)
                {
                    return process;
                }
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException(process.HasExited
            ? $"{info.FileName} exited ({process.ExitCode}) instead of listening on port {port}: {string.Join(" | ", output)}"
            : $"{info.FileName} did not listen on port {port}.");
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is not null && output.Count < 50)
        {
            output.Enqueue(line);
        }
    }
}
