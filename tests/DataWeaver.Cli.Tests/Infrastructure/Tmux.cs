using System.Diagnostics;

namespace DataWeaver.Cli.Tests.Infrastructure;

/// <summary>
/// A real terminal for the tests: a detached tmux session of a given size on its own server socket, running one command,
/// whose screen is captured as text (what a person would see). eng/test.sh installs tmux when it is missing.
/// </summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _socket = "dataweaver-tests-" + Guid.NewGuid().ToString("N")[..12];
    private readonly Process _server;

    private Tmux()
    {
        // The server in the foreground (-D), as a child of the tests: it needs no daemon(3), which some sandboxes refuse.
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-D", "-L", _socket, "-f", "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        _server = Process.Start(start)!;
    }

    /// <summary>Gets a value indicating whether tmux can be run here.</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>Starts a session of <paramref name="width"/> x <paramref name="height"/> running <paramref name="command"/> in <paramref name="folder"/>; the pane stays after it ends.</summary>
    public static Tmux Start(int width, int height, string folder, IReadOnlyList<string> command)
    {
        var tmux = new Tmux();
        var line = string.Join(' ', command.Select(Quote)) + "; echo; echo \"[exit $?]\"; sleep 600";
        string[] session = ["new-session", "-d", "-s", "t", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", folder, "sh -c " + Quote(line)];
        string? error = null;
        for (var attempt = 0; tmux.TryRun(["has-session", "-t", "t"]) is not null; attempt++)
        {
            // Until the server listens on its socket; a new-session that failed late may have made the session all the same.
            Assert.True(attempt < 100, "The tmux server did not start: " + error);
            error = tmux.TryRun(session);
            if (error is not null)
            {
                Thread.Sleep(50);
            }
        }

        return tmux;
    }

    /// <summary>Captures the screen as text (each line with its trailing spaces trimmed).</summary>
    public string Capture() => Run("capture-pane", "-p", "-t", "t");

    /// <summary>Waits until the screen satisfies <paramref name="done"/>, and returns that screen.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        var screen = Capture();
        while (!done(screen))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), $"The terminal never showed {what}; it shows:\n{screen}");
            await Task.Delay(50);
            screen = Capture();
        }

        return screen;
    }

    public void Dispose()
    {
        TryRun(["kill-server"]);
        if (!_server.WaitForExit(5000))
        {
            _server.Kill();
        }

        _server.Dispose();
    }

    private static bool Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("tmux", "-V") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private string Run(params string[] args)
    {
        var (code, output, error) = Execute(args);
        Assert.True(code == 0, $"tmux {string.Join(' ', args)}: exit {code}: {error}");
        return output;
    }

    /// <summary>Runs a tmux command; returns null when it succeeded, else its error.</summary>
    private string? TryRun(string[] args)
    {
        var (code, _, error) = Execute(args);
        return code == 0 ? null : $"exit {code}: {error}";
    }

    private (int Code, string Output, string Error) Execute(string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error);
    }
}
