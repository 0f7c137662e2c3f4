using System.Diagnostics;

namespace DataWeaver.Sftp.Tests.Support;

/// <summary>The <c>dataweaver</c> CLI from its own build output (same configuration as the tests), run in a separate process.</summary>
internal static class Cli
{
    public static string Tool
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/CONFIG/TFM
            var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var tool = Path.Combine(root, "src", "DataWeaver.Cli", "bin", testOutput.Parent!.Name, testOutput.Name, "dataweaver.dll");
            return File.Exists(tool) ? tool : throw new InvalidOperationException($"The CLI is not built: {tool}");
        }
    }

    /// <summary>The start of <c>dotnet dataweaver.dll run FILE</c> with the SFTP password in the environment (the file reads it as <c>${secret:SFTP_PASSWORD}</c>).</summary>
    public static ProcessStartInfo Run(string file, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        start.ArgumentList.Add(Tool);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add(file);
        start.Environment["SFTP_PASSWORD"] = SftpTestServer.Password;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Runs the CLI to its end; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(string file, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Run(file, environment);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
