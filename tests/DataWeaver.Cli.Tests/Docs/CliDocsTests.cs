using System.Diagnostics;
using System.Text.RegularExpressions;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Docs;

/// <summary>
/// Every example command of docs/cli.md runs: each <c>sh</c> block marked <c>cli-example</c> runs line by line (in
/// process, through the executable's entry) in a folder holding copies of samples/config, docs/configuration/examples
/// and docs/cli, with the exit code written after <c># exit</c> (0 when none is); each block marked <c>cli-output</c>
/// must equal what its example printed, or the file it names. The install block packs and installs the tool for real.
/// </summary>
public sealed partial class CliDocsTests
{
    private static readonly string Root = TestFolder.RepositoryRoot();
    private static readonly string Page = File.ReadAllText(Path.Combine(Root, "docs", "cli.md")).Replace("\r", string.Empty, StringComparison.Ordinal);

    public static TheoryData<string> Examples() => [.. ExampleBlocks().Select(b => b.Name).Where(n => n != "install")];

    [Fact]
    public void Page_EveryShellBlock_IsAMarkedExample()
    {
        Assert.Equal(ShellBlock().Count(Page), ExampleBlocks().Count());
        Assert.Contains("install", ExampleBlocks().Select(b => b.Name));
        var names = ExampleBlocks().Select(b => b.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.All(OutputBlocks(), o => Assert.Contains(o.Example, names));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_InDocsCli_RunsWithTheDocumentedExitCodesAndOutputs(string name)
    {
        using var folder = new TestFolder();
        foreach (var source in new[] { "samples/config", "docs/configuration/examples", "docs/cli" })
        {
            Copy(Path.Combine(Root, source), folder[source]);
        }

        var printed = string.Empty;
        foreach (var (args, exitCode, line) in Commands(name))
        {
            Assert.Equal("dataweaver", args[0]);
            var cli = folder.Cli();
            cli.Environment["ORDERS"] = "20000"; // the quickstart's default is a million orders: the same commands, quicker
            var result = await cli.RunAsync(args[1..]);
            Assert.True(result.ExitCode == exitCode, $"{line}\n{result}");
            printed += result.Out + result.Error;
        }

        foreach (var (_, file, text) in OutputBlocks().Where(o => o.Example == name))
        {
            var actual = file is null ? printed : File.ReadAllText(folder[file]);
            Assert.Equal(text.TrimEnd(), actual.Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd());
        }
    }

    [Fact]
    public async Task Install_InDocsCli_PacksAndInstallsTheToolWhichThenRuns()
    {
        using var folder = new TestFolder();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<configuration>/net10.0
        var commands = Commands("install").Select(c => c.Args).ToList();
        Assert.Equal(3, commands.Count);

        // The documented commands, with the package and the tool in the test's folder (not the user's global tools) and the
        // test's build of the CLI (--no-build: the tests must not rebuild what other test assemblies run).
        var pack = Replace(commands[0], ("Release", configuration), ("artifacts", folder["artifacts"]));
        await RunAsync(Root, [.. pack, "--no-build", "-nologo"]);
        var install = Replace(commands[1], ("--global", "--tool-path"), ("DataWeaver.Cli", folder["tools"] + " DataWeaver.Cli"), ("artifacts", folder["artifacts"]));
        await RunAsync(folder.Path, [.. install.SelectMany(a => a.Split(' '))]);
        var version = await RunAsync(folder.Path, [Path.Combine(folder["tools"], commands[2][0]), .. commands[2][1..]]);

        Assert.Equal(["dotnet", "pack", "src/DataWeaver.Cli"], pack[..3]);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    private static IEnumerable<(string Name, string Code)> ExampleBlocks() =>
        ExampleBlock().Matches(Page).Select(m => (m.Groups["name"].Value, m.Groups["code"].Value));

    private static IEnumerable<(string Example, string? File, string Text)> OutputBlocks() =>
        OutputBlock().Matches(Page).Select(m => (m.Groups["name"].Value, m.Groups["file"].Success ? m.Groups["file"].Value : null, m.Groups["text"].Value));

    private static IEnumerable<(string[] Args, int ExitCode, string Line)> Commands(string example)
    {
        foreach (var line in ExampleBlocks().Single(b => b.Name == example).Code.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            var exit = ExitComment().Match(comment < 0 ? string.Empty : line[comment..]);
            var command = comment < 0 ? line : line[..comment];
            yield return (command.Split(' ', StringSplitOptions.RemoveEmptyEntries), exit.Success ? int.Parse(exit.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, line);
        }
    }

    private static string[] Replace(string[] args, params (string From, string To)[] replacements) =>
        [.. args.Select(a => replacements.FirstOrDefault(r => r.From == a) is { To: { } to } ? to : a)];

    private static async Task<string> RunAsync(string workingDirectory, string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command[1..])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', command)}: exit {process.ExitCode}\n{await output}\n{await error}");
        return await output;
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"<!--\s*cli-example:\s*(?<name>[\w-]+)\s*-->\s*```sh\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    [GeneratedRegex(@"<!--\s*cli-output:\s*(?<name>[\w-]+)(\s+file=(?<file>\S+))?\s*-->\s*```\w*\n(?<text>.*?)```", RegexOptions.Singleline)]
    private static partial Regex OutputBlock();

    [GeneratedRegex(@"```sh\n")]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"#\s*exit\s+(?<code>\d+)")]
    private static partial Regex ExitComment();
}
