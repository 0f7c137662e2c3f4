using System.Text.RegularExpressions;

namespace DataWeaver.Tests.Docs;

/// <summary>
/// Every code block in README.md and docs/ marked <c>&lt;!-- snippet: NAME --&gt;</c> must be, to the
/// character (indentation aside), a region <c>// snippet: NAME</c> ... <c>// end snippet</c> of a test
/// source file; the tests around those regions run them. A block may start with the <c>using</c> directives a reader
/// needs: each must be a using directive of the file that holds the region.
/// </summary>
public sealed partial class DocSnippetTests
{
    public static TheoryData<string> MarkdownSnippets()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _, _) in FindMarkdownSnippets())
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MarkdownSnippets))]
    public void Snippet_InMarkdown_IsCodeTheTestsRun(string name)
    {
        var (_, file, code) = FindMarkdownSnippets().Single(s => s.Name == name);
        var regions = FindCodeRegions();

        Assert.True(regions.TryGetValue(name, out var found), $"{file}: snippet '{name}' has no '// snippet: {name}' region in the tests.");
        var (usings, body) = SplitUsings(code);
        var (regionUsings, regionBody) = SplitUsings(found.Code);
        var fileUsings = File.ReadAllLines(found.File).Select(l => l.Trim()).Where(l => UsingDirective().IsMatch(l)).ToHashSet();
        foreach (var directive in usings.Except(regionUsings))
        {
            Assert.True(fileUsings.Contains(directive), $"{file}: snippet '{name}' shows '{directive}', which {Path.GetFileName(found.File)} does not have.");
        }

        Assert.Equal(Normalize(regionBody), Normalize(body));
    }

    [Fact]
    public void Snippets_ReadmeAndDocs_AreFound()
    {
        var names = FindMarkdownSnippets().Select(s => s.Name).ToArray();

        Assert.Contains("readme-fluent", names);
        Assert.Contains("readme-connector-pipeline", names);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataWeaver.Engine.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DataWeaver.Engine.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<(string Name, string File, string Code)> FindMarkdownSnippets()
    {
        var root = RepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(root, "README.md"));
        foreach (var file in files)
        {
            foreach (Match match in MarkdownSnippet().Matches(File.ReadAllText(file)))
            {
                yield return (match.Groups["name"].Value, Path.GetRelativePath(root, file), match.Groups["code"].Value);
            }
        }
    }

    private static Dictionary<string, (string Code, string File)> FindCodeRegions()
    {
        var regions = new Dictionary<string, (string Code, string File)>();
        var tests = Path.Combine(RepositoryRoot(), "tests");
        foreach (var file in Directory.GetFiles(tests, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
        {
            foreach (Match match in CodeRegion().Matches(File.ReadAllText(file)))
            {
                regions[match.Groups["name"].Value] = (match.Groups["code"].Value, file);
            }
        }

        return regions;
    }

    /// <summary>The using directives a block starts with (blank lines among them aside), and the rest.</summary>
    private static (string[] Usings, string Body) SplitUsings(string code)
    {
        var lines = code.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var first = 0;
        while (first < lines.Length && (string.IsNullOrWhiteSpace(lines[first]) || UsingDirective().IsMatch(lines[first].Trim())))
        {
            first++;
        }

        var usings = lines[..first].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return (usings, string.Join('\n', lines[first..]));
    }

    /// <summary>Drops the common indentation and blank edges, so a region indented in a method matches its block.</summary>
    private static string Normalize(string code)
    {
        var lines = code.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n').ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[0]))
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..].TrimEnd() : l.Trim()));
    }

    [GeneratedRegex(@"<!--\s*snippet:\s*(?<name>[\w-]+)\s*-->\s*```(?:csharp|cs)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MarkdownSnippet();

    [GeneratedRegex(@"^using (static )?[\w.]+( = [\w.<>]+)?;$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"//\s*snippet:\s*(?<name>[\w-]+)[^\n]*\n(?<code>.*?)\n[ \t]*//\s*end snippet", RegexOptions.Singleline)]
    private static partial Regex CodeRegion();
}
