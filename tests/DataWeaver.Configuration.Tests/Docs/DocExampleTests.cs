using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Lifecycle;

namespace DataWeaver.Configuration.Tests.Docs;

/// <summary>
/// The YAML of docs/configuration/*.md runs: every block marked <c>config-example</c> is a complete file that runs to
/// completion (and writes exactly the <c>output</c> block under it, when there is one); every block marked
/// <c>invalid-example</c> fails with exactly the errors of the <c>text</c> block under it. No YAML block goes unmarked.
/// </summary>
public sealed partial class DocExampleTests
{
    private static readonly string DocsFolder = Path.Combine(TestFolder.RepositoryRoot(), "docs", "configuration");

    public static TheoryData<string> RunnableExamples() => [.. Examples().Where(e => e.Kind == "config-example").Select(e => e.Name)];

    public static TheoryData<string> InvalidExamples() => [.. Examples().Where(e => e.Kind == "invalid-example").Select(e => e.Name)];

    [Fact]
    public void YamlBlocks_InTheDocs_AreAllExamplesTheTestsRun()
    {
        var blocks = Pages().Sum(page => YamlBlock().Count(File.ReadAllText(page)));

        Assert.Equal(blocks, Examples().Count);
        Assert.True(blocks >= 10, $"{blocks} examples");
        Assert.Equal(Examples().Count, Examples().Select(e => e.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(RunnableExamples))]
    public async Task Example_Run_CompletesWithTheDocumentedOutput(string name)
    {
        var example = Examples().Single(e => e.Name == name);
        using var folder = new TestFolder();
        var path = folder.File("pipeline.yaml");
        await File.WriteAllTextAsync(path, example.Yaml);

        var pipelines = await ExampleRunner.RunAsync(path, folder.Path, Env.Empty, ConfigurationDocsExamples.Registry(new ConcurrentDictionary<string, string>()), FixedClock.NewYear2026);

        Assert.All(pipelines, p => Assert.Equal(p.Definition!.Source.Type == "stream" ? PipelineState.Stopped : PipelineState.Completed, p.State)); // a stream is stopped by the runner
        if (example.OutputPath is { } output)
        {
            Assert.Equal(example.Expected, string.Join('\n', folder.Lines(output)));
        }
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void InvalidExample_Load_FailsWithTheDocumentedErrors(string name)
    {
        var example = Examples().Single(e => e.Name == name);

        var errors = PipelineDefinitionLoader.Validate(example.Yaml, "pipeline.yaml", new PipelineLoadOptions { Environment = Env.Empty });

        Assert.Equal(example.Expected, string.Join('\n', errors));
    }

    [Fact]
    public async Task Graphs_InTheDocs_AreWhatTheFilesCompileTo()
    {
        var graphs = Pages().SelectMany(page => Graph().Matches(File.ReadAllText(page))).ToList();

        Assert.NotEmpty(graphs);
        foreach (var graph in graphs)
        {
            var file = PipelineDefinitionLoader.Load(Path.Combine(DocsFolder, graph.Groups["file"].Value));
            await using var factory = new PipelineFactory();
            Assert.Equal(graph.Groups["text"].Value, factory.Create(file.Pipelines[0]).Describe().ToText().Replace("\r", string.Empty, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Links_InTheDocs_PointAtFilesAndHeadingsThatExist()
    {
        List<string> broken = [];
        foreach (var page in Pages())
        {
            foreach (Match link in Link().Matches(File.ReadAllText(page)))
            {
                var (target, anchor) = (link.Groups["target"].Value, link.Groups["anchor"].Value);
                var file = target.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                if (!File.Exists(file) && !Directory.Exists(file))
                {
                    broken.Add($"{Path.GetFileName(page)}: {link.Value}");
                }
                else if (anchor.Length > 0 && !Heading().Matches(File.ReadAllText(file)).Any(h => Slug(h.Groups["title"].Value) == anchor))
                {
                    broken.Add($"{Path.GetFileName(page)}: {link.Value}");
                }
            }
        }

        Assert.Empty(broken);
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Slug(string title) =>
        new string([.. title.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')]).Replace(' ', '-');

    private static IEnumerable<string> Pages() => Directory.GetFiles(DocsFolder, "*.md", SearchOption.AllDirectories);

    private static List<(string Kind, string Name, string Yaml, string? OutputPath, string Expected)> Examples() =>
    [
        .. Pages().SelectMany(page => Example().Matches(File.ReadAllText(page)).Select(m => (
            m.Groups["kind"].Value,
            m.Groups["name"].Value,
            m.Groups["yaml"].Value,
            m.Groups["output"].Success ? m.Groups["output"].Value : null,
            (m.Groups["expected"].Success ? m.Groups["expected"].Value : m.Groups["errors"].Value).TrimEnd('\n')))),
    ];

    [GeneratedRegex(@"<!--\s*graph:\s*(?<file>\S+)\s*-->\s*```text\n(?<text>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Graph();

    [GeneratedRegex(@"\]\((?!https?:)(?<target>[^)#\s]*)(#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#+ (?<title>.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"```yaml\n")]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"<!--\s*(?<kind>config-example|invalid-example):\s*(?<name>[\w-]+)\s*-->\s*```yaml\n(?<yaml>.*?)```(\s*<!--\s*output:\s*(?<output>\S+)\s*-->\s*```jsonl\n(?<expected>.*?)```|\s*```text\n(?<errors>.*?)```)?", RegexOptions.Singleline)]
    private static partial Regex Example();
}
