using System.Diagnostics;
using System.Text;

namespace DataWeaver.Packaging.Tests;

/// <summary>Runs <c>dotnet</c> (or an installed tool) as a child process, outside the test host's MSBuild settings.</summary>
internal static class DotnetProcess
{
    /// <summary>A child that has not ended after this long is killed: a guard against a hang, not a measurement.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    public static string DotnetPath =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under dotnet test: its MSBuild variables would point a child build at the wrong SDK parts.
        foreach (var name in start.Environment.Keys.Where(IsInheritedBuildVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var guard = new CancellationTokenSource(HangGuard))
        {
            try
            {
                await process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{Describe(fileName, start)} did not end within {HangGuard}:\n{Text(output)}");
            }
        }

        process.WaitForExit(); // flushes the redirected streams
        var text = Text(output);
        Assert.True(process.ExitCode == 0, $"{Describe(fileName, start)} exited with {process.ExitCode}:\n{text}");
        return text;
    }

    public static Task<string> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunAsync(DotnetPath, arguments, workingDirectory, environment);

    private static bool IsInheritedBuildVariable(string name) =>
        name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
        || name.Equals("NUGET_PACKAGES", StringComparison.OrdinalIgnoreCase);

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Describe(string fileName, ProcessStartInfo start) =>
        $"'{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList)}' in {start.WorkingDirectory}";
}
