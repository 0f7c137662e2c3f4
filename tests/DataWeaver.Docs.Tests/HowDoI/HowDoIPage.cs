using System.Text.RegularExpressions;

namespace DataWeaver.Docs.Tests.HowDoI;

/// <summary>
/// The files of docs/how-do-i.md as printed: <c>&lt;!-- how-do-i-input: PATH --&gt;</c>, <c>how-do-i-file: PATH</c> and
/// <c>how-do-i-output: PATH</c> each mark the fenced block below them as the content of a file.
/// </summary>
internal static partial class HowDoIPage
{
    public static string Path => System.IO.Path.Combine(RepositoryRoot(), "docs", "how-do-i.md");

    /// <summary>The block marked <c>&lt;!-- how-do-i-KIND: name --&gt;</c>, exactly as printed.</summary>
    public static string Block(string kind, string name)
    {
        var blocks = Marked().Matches(File.ReadAllText(Path))
            .Where(m => m.Groups["kind"].Value == kind && m.Groups["name"].Value == name)
            .Select(m => m.Groups["text"].Value)
            .ToList();
        Assert.True(blocks.Count == 1, $"docs/how-do-i.md has {blocks.Count} blocks marked how-do-i-{kind}: {name}");
        return blocks[0];
    }

    /// <summary>The lines of a block, for JSON lines.</summary>
    public static string[] Lines(string kind, string name) =>
        Block(kind, name).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "DataWeaver.Engine.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("DataWeaver.Engine.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"<!--\s*how-do-i-(?<kind>input|file|output):\s*(?<name>[\w./-]+)\s*-->\s*```\w*\n(?<text>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Marked();
}

/// <summary>A temporary folder that is the current directory until disposed (definition files use relative paths).</summary>
internal sealed class WorkingFolder : IDisposable
{
    private readonly string _previous = Environment.CurrentDirectory;

    public WorkingFolder()
    {
        Root = Directory.CreateTempSubdirectory("dataweaver-how-do-i-").FullName;
        Environment.CurrentDirectory = Root;
    }

    public string Root { get; }

    public string Write(string relativePath, string text)
    {
        var path = System.IO.Path.Combine(Root, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = _previous;
        Directory.Delete(Root, recursive: true);
    }
}
