using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace DataWeaver.Windowing.CrashTests;

/// <summary>A harness process (dotnet HARNESS.dll ...) from the test's output folder: started, watched, stopped, killed.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private ChildProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Gets everything the process printed so far.</summary>
    public string Output => string.Join(Environment.NewLine, lines);

    /// <summary>Gets a value indicating whether the process ended.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>.</summary>
    /// <param name="assembly">The harness's file name in the test's output folder.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>The running process.</returns>
    public static ChildProcess Start(string assembly, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new ChildProcess(Process.Start(info)!);
    }

    /// <summary>Kills the process with SIGKILL and waits until it is gone.</summary>
    /// <returns>A task that completes once the process is gone.</returns>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM (a graceful drain) and waits for the exit code.</summary>
    /// <param name="guard">How long to wait at most (a hang guard).</param>
    /// <returns>The exit code.</returns>
    public async Task<int> StopAsync(TimeSpan guard)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(guard);
    }

    /// <summary>Waits for the process to end.</summary>
    /// <param name="guard">How long to wait at most (a hang guard).</param>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan guard)
    {
        await process.WaitForExitAsync().WaitAsync(guard);
        process.WaitForExit(); // the output handlers have run
        return process.ExitCode;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
