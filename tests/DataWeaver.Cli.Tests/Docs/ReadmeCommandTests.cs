using System.Text.RegularExpressions;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Docs;

/// <summary>The README's first command runs the quickstart through the CLI: its arguments are read from README.md, so the README cannot rot.</summary>
public sealed partial class ReadmeCommandTests : IDisposable
{
    private readonly TestFolder _folder = new();

    /// <summary>The first line of the first shell block of the README's "Two commands" section, without its comment.</summary>
    internal static string[] ReadmeFirstCommand()
    {
        var readme = File.ReadAllText(Path.Combine(TestFolder.RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Two commands", StringComparison.Ordinal)..];
        var line = FirstShellBlock().Match(section).Groups["code"].Value.Split('\n')[0];
        var comment = line.IndexOf(" #", StringComparison.Ordinal);
        return (comment < 0 ? line : line[..comment]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>What the README's first command passes to the tool (after <c>--</c>).</summary>
    internal static string[] ReadmeToolArguments()
    {
        var command = ReadmeFirstCommand();
        return command[(Array.IndexOf(command, "--") + 1)..];
    }

    [Fact]
    public void ReadmeFirstCommand_IsDotnetRunOfTheCliOnTheQuickstartFile()
    {
        var command = ReadmeFirstCommand();
        var separator = Array.IndexOf(command, "--");

        Assert.Equal(["dotnet", "run", "-c", "Release", "--project", "src/DataWeaver.Cli"], command[..separator]);
        Assert.Equal(["run", "samples/config/quickstart.yaml"], ReadmeToolArguments());
        Assert.True(File.Exists(Path.Combine(TestFolder.RepositoryRoot(), "src/DataWeaver.Cli/DataWeaver.Cli.csproj")));
    }

    [Fact]
    public async Task ReadmeFirstCommand_InProcessFromTheRepositoryRoot_RunsTheQuickstart()
    {
        var cli = new InProcessCli { WorkingDirectory = TestFolder.RepositoryRoot() };
        cli.Environment["ORDERS"] = "20000";
        cli.Environment["OUTPUT_DIR"] = _folder.Path;

        var result = await cli.RunAsync(ReadmeToolArguments());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(16_000, File.ReadAllLines(_folder["big-orders.jsonl"]).Length); // amount = n % 500 + 0.99 >= 100: 400 of every 500
        Assert.Empty(result.Out); // standard output is for data; the quickstart writes a file
        Assert.StartsWith("quickstart: completed in ", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Contains("in 20,000", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Contains("out 16,000", result.ErrorLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadmeFirstCommand_AsAProcessOfTheBuiltTool_RunsTheQuickstart()
    {
        using var tool = ToolProcess.Start(
            TestFolder.RepositoryRoot(),
            new Dictionary<string, string> { ["ORDERS"] = "20000", ["OUTPUT_DIR"] = _folder.Path },
            ReadmeToolArguments());

        var code = await tool.WaitForExitAsync();

        Assert.True(code == 0, $"exit {code}\n{tool.Out}\n{tool.Error}");
        Assert.Equal(16_000, File.ReadAllLines(_folder["big-orders.jsonl"]).Length);
        Assert.Contains("quickstart: completed in ", tool.Error, StringComparison.Ordinal);
        Assert.Empty(tool.Out);
    }

    [Fact]
    public async Task Run_SigtermToTheToolProcess_DrainsWhatWasReadAndExits0()
    {
        using var tool = ToolProcess.Start(
            TestFolder.RepositoryRoot(),
            new Dictionary<string, string> { ["ORDERS"] = "1000000000", ["OUTPUT_DIR"] = _folder.Path },
            [.. ReadmeToolArguments(), "--progress-interval", "100ms"]);

        await tool.WaitForOutputAsync("quickstart running: in ");
        tool.Signal("TERM");
        var code = await tool.WaitForExitAsync();

        Assert.True(code == 0, $"exit {code}\n{tool.Out}\n{tool.Error}");
        var summary = tool.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("quickstart: stopped in ", summary, StringComparison.Ordinal);
        Assert.Contains($"out {File.ReadAllLines(_folder["big-orders.jsonl"]).Length:N0}", summary, StringComparison.Ordinal);
        Assert.Contains("\nstopping: draining", tool.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"```sh\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstShellBlock();
}
