using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataWeaver.Testing.Crash;

/// <summary>
/// What the kill tests share about their separate processes: where a harness or the CLI lies in the build output (the same
/// configuration and framework as the running tests), starting it with its output forwarded line by line, and a free port
/// to listen on across restarts.
/// </summary>
public static class ChildProcesses
{
    /// <summary>
    /// Gets the path of <paramref name="fileName"/> in the build output of the project in <paramref name="projectDirectory"/>,
    /// assuming the running tests live in <c>tests/NAME/bin/CONFIG/TFM</c> of the same repository.
    /// </summary>
    /// <param name="projectDirectory">The project's folder from the repository root, e.g. <c>src/DataWeaver.Cli</c>.</param>
    /// <param name="fileName">The file in its output, e.g. <c>dataweaver.dll</c>.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="FileNotFoundException">The project is not built in that configuration (build it first, e.g. as a reference).</exception>
    public static string BuildOutputOf(string projectDirectory, string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectDirectory);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/NAME/bin/CONFIG/TFM
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, projectDirectory, "bin", testOutput.Parent!.Name, testOutput.Name, fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Not built: {path}", path);
    }

    /// <summary>Starts <c>dotnet ASSEMBLY ARGUMENTS</c> with its standard output and error forwarded to <paramref name="log"/> line by line.</summary>
    /// <param name="assembly">The assembly to run (<see cref="BuildOutputOf"/>).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="log">Told each line the process writes; an <see cref="InvalidOperationException"/> it throws (a test that ended) is ignored.</param>
    /// <returns>The running process; kill it with <see cref="Process.Kill()"/> (SIGKILL on Linux) and dispose it.</returns>
    public static Process StartDotnet(string assembly, IEnumerable<string> arguments, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(log);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"'dotnet {assembly}' did not start.");
        process.OutputDataReceived += (_, e) => Forward(log, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Gets a loopback TCP port free right now (a restarted process listens on it again).</summary>
    /// <returns>The port.</returns>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Forward(Action<string> log, string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            log(line);
        }
        catch (InvalidOperationException)
        {
            // the test ended
        }
    }
}
