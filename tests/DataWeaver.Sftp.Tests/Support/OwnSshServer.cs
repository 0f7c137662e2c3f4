using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DataWeaver.Sftp.Tests.Support;

/// <summary>
/// An sshd of the test's own (the config and host key of eng/services/sshd.sh, on a free port), for tests that cut
/// connections: <see cref="KillAsync"/> SIGKILLs the server and every connection's process, <see cref="StartAsync"/>
/// starts it again on the same port. The shared server on 2222 is never touched.
/// </summary>
internal sealed class OwnSshServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sshd-").FullName;
    private Process? _process;

    private OwnSshServer(int port) => Port = port;

    public int Port { get; }

    public static async Task<OwnSshServer> StartNewAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var server = new OwnSshServer(port);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false };
        foreach (var argument in (string[])["-D", "-f", Path.Combine(SftpTestServer.ServiceDirectory, "sshd_config"), "-o", string.Create(CultureInfo.InvariantCulture, $"Port={Port}"), "-o", $"PidFile={Path.Combine(_directory, "sshd.pid")}", "-E", Path.Combine(_directory, "sshd.log")])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var guard = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (guard.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>SIGKILLs the server and every process it started (one per connection): every connection is cut at once.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        foreach (var pid in Descendants(process.Id).Prepend(process.Id).Reverse())
        {
            try
            {
                using var each = Process.GetProcessById(pid);
                each.Kill();
            }
            catch (ArgumentException)
            {
                // gone already
            }
            catch (InvalidOperationException)
            {
                // gone already
            }
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // exited meanwhile
                }
            }
        }

        List<int> found = [];
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent)
                {
                    found.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }

        return found;
    }
}
