using System.Text.RegularExpressions;

namespace DataWeaver.Configuration.Tests.Support;

/// <summary>The definition examples of docs/stateful.md (<c>&lt;!-- definition: NAME --&gt;</c> then a yaml block).</summary>
internal static class StatefulDocs
{
    /// <summary>The YAML of the example <paramref name="name"/>; fails the test when it is missing.</summary>
    public static async Task<string> DefinitionAsync(string name)
    {
        var docs = await File.ReadAllTextAsync(Path.Combine(TestFolder.RepositoryRoot(), "docs", "stateful.md"));
        var yaml = Regex.Match(docs, @"<!--\s*definition:\s*" + Regex.Escape(name) + @"\s*-->\s*```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline).Groups["yaml"].Value;
        Assert.NotEmpty(yaml);
        return yaml;
    }
}
