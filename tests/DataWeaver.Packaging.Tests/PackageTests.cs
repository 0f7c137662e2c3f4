using System.Xml.Linq;

namespace DataWeaver.Packaging.Tests;

/// <summary>
/// What a user gets from NuGet: every project in src/ packed into a local folder feed; the CLI installed from it as a
/// .NET tool and run on a pipeline file; a new project outside the repository that references the packages, builds and
/// runs pipelines. Offline: the feed is a folder, and every other package comes from the machine's package cache.
/// </summary>
public sealed class PackageTests(LocalFeed feed) : IClassFixture<LocalFeed>
{
    public static TheoryData<string> SourceProjects() => [.. LocalFeed.SourceProjects];

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Pack_EveryProjectInSrc_IsAPackageWithReadmeLicenseDescriptionAndSymbols(string project)
    {
        var metadata = feed.Nuspec(project).Descendants().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal(project, Value("id"));
        Assert.Equal(feed.Version, Value("version"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")), $"{project}: no description");
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        var entries = feed.Entries(project);
        Assert.Contains("README.md", entries);
        Assert.Contains(entries, e => e.EndsWith($"/{AssemblyName(project)}.dll", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.EndsWith($"/{AssemblyName(project)}.xml", StringComparison.Ordinal) || project == "DataWeaver.Cli");

        var readme = File.ReadAllText(Path.Combine(LocalFeed.RepositoryRoot, "docs", "packages", project + ".md"));
        Assert.StartsWith("# " + project, readme, StringComparison.Ordinal);

        // Symbols beside the package, with the portable PDB of the assembly.
        var symbols = Path.ChangeExtension(feed.PackagePath(project), ".snupkg");
        Assert.True(File.Exists(symbols), $"{project}: no {Path.GetFileName(symbols)}");
        using var zip = System.IO.Compression.ZipFile.OpenRead(symbols);
        Assert.Contains(zip.Entries, e => e.FullName.EndsWith($"/{AssemblyName(project)}.pdb", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Pack_EveryLibrary_TracksItsPublicApi(string project)
    {
        var folder = Path.Combine(LocalFeed.RepositoryRoot, "src", project);
        if (project == "DataWeaver.Cli")
        {
            Assert.False(File.Exists(Path.Combine(folder, "PublicAPI.Shipped.txt")), "the CLI is an application: no public API files");
            return;
        }

        var shipped = File.ReadAllLines(Path.Combine(folder, "PublicAPI.Shipped.txt"));
        var unshipped = File.ReadAllLines(Path.Combine(folder, "PublicAPI.Unshipped.txt"));
        Assert.Equal("#nullable enable", shipped[0]);
        Assert.Equal("#nullable enable", unshipped[0]);
        Assert.True(shipped.Length + unshipped.Length > 3, $"{project}: its public API is not listed (run eng/update-public-api.sh)");
    }

    [Fact]
    public void Pack_Cli_IsADotnetToolNamedDataweaver()
    {
        var entries = feed.Entries("DataWeaver.Cli");
        var settings = entries.Single(e => e.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using var zip = System.IO.Compression.ZipFile.OpenRead(feed.PackagePath("DataWeaver.Cli"));
        using var stream = zip.GetEntry(settings)!.Open();
        var command = XDocument.Load(stream).Descendants("Command").Single();

        Assert.Equal("dataweaver", command.Attribute("Name")?.Value);
        Assert.Equal("dataweaver.dll", command.Attribute("EntryPoint")?.Value);
        var packageTypes = feed.Nuspec("DataWeaver.Cli").Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")?.Value);
        Assert.Contains("DotnetTool", packageTypes);
    }

    [Fact]
    public async Task ToolInstall_FromLocalFeed_RunsAPipelineFile()
    {
        var work = Directory.CreateDirectory(Path.Combine(feed.Root, "tool-run")).FullName;
        var tools = Path.Combine(feed.Root, "tools");
        // Only the local feed: a tool package carries everything it needs.
        var config = await WriteNuGetConfigAsync(work, includeMachineSources: false);

        await DotnetProcess.DotnetAsync(work, feed.ChildEnvironment,
            "tool", "install", "DataWeaver.Cli", "--version", feed.Version, "--tool-path", tools, "--configfile", config);
        await File.WriteAllTextAsync(Path.Combine(work, "numbers.json"), """
            {
              "version": 1,
              "pipelines": [
                {
                  "name": "numbers",
                  "source": { "type": "generator", "settings": { "count": 5, "fields": { "n": { "number": {} } } } },
                  "transforms": [ { "filter": { "field": "n", "op": ">=", "value": 2 } } ],
                  "sinks": [ { "type": "json-lines-file", "settings": { "path": "out/numbers.jsonl" } } ]
                }
              ]
            }
            """);
        await DotnetProcess.RunAsync(Path.Combine(tools, "dataweaver"), ["run", Path.Combine(work, "numbers.json")], work, feed.ChildEnvironment);

        Assert.Equal(["{\"n\":2}", "{\"n\":3}", "{\"n\":4}"], await File.ReadAllLinesAsync(Path.Combine(work, "out", "numbers.jsonl")));
    }

    [Fact]
    public async Task NewProject_ReferencingEngineAndConfigurationPackages_BuildsAndRunsPipelines()
    {
        var app = Directory.CreateDirectory(Path.Combine(feed.Root, "FreshApp")).FullName;
        await WriteNuGetConfigAsync(app, includeMachineSources: true);
        await File.WriteAllTextAsync(Path.Combine(app, "FreshApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DataWeaver.Engine" Version="{feed.Version}" />
                <PackageReference Include="DataWeaver.Configuration" Version="{feed.Version}" />
                <PackageReference Include="DataWeaver.Configuration.Yaml" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        // The program is the C# of the packages' READMEs, as a user would copy it.
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ProgramFromReadmes("DataWeaver.Engine", "DataWeaver.Configuration.Yaml"));
        await File.WriteAllTextAsync(Path.Combine(app, "pipelines.json"), """
            {
              "version": 1,
              "pipelines": [
                {
                  "name": "big-orders",
                  "source": { "type": "memory", "settings": { "records": [ { "id": 1, "amount": 40 }, { "id": 2, "amount": 120 }, { "id": 3, "amount": 700 } ] } },
                  "transforms": [ { "filter": { "field": "amount", "op": ">=", "value": 100 } } ],
                  "sinks": [ { "type": "json-lines-file", "settings": { "path": "out/big-orders.jsonl" } } ]
                }
              ]
            }
            """);

        await DotnetProcess.DotnetAsync(app, feed.ChildEnvironment, "build", "-c", "Release", "-nologo", "-v:q");
        var output = await DotnetProcess.DotnetAsync(app, feed.ChildEnvironment, "run", "-c", "Release", "--no-build");

        Assert.Contains("even 2, even 4", output, StringComparison.Ordinal);
        Assert.Equal(["{\"id\":2,\"amount\":120}", "{\"id\":3,\"amount\":700}"], await File.ReadAllLinesAsync(Path.Combine(app, "out", "big-orders.jsonl")));
        // The packages restored are the ones just packed, from the local feed.
        Assert.True(Directory.Exists(Path.Combine(feed.Packages, "dataweaver.engine", feed.Version)));
    }

    /// <summary>The C# blocks of docs/packages/ID.md, one after the other, their using directives first.</summary>
    private static string ProgramFromReadmes(params string[] ids)
    {
        var lines = ids
            .Select(id => File.ReadAllText(Path.Combine(LocalFeed.RepositoryRoot, "docs", "packages", id + ".md")))
            .SelectMany(readme => readme.Split("```csharp\n")[1..].Select(block => block[..block.IndexOf("```", StringComparison.Ordinal)]))
            .SelectMany(block => block.Split('\n'))
            .ToList();
        static bool IsUsingDirective(string line) => line.StartsWith("using ", StringComparison.Ordinal) && !line.Contains('(', StringComparison.Ordinal);
        return string.Join('\n', lines.Where(IsUsingDirective).Distinct().Concat(lines.Where(l => !IsUsingDirective(l))));
    }

    /// <summary>
    /// A NuGet.config beside the project: the local feed for DataWeaver's packages (package source mapping, so no other
    /// source can serve a package of that name) and, when asked, the machine's own sources for everything else. The
    /// machine's package cache is a fallback folder: what the repository's build restored is used from there without
    /// asking any source, which keeps the test offline.
    /// </summary>
    private async Task<string> WriteNuGetConfigAsync(string folder, bool includeMachineSources)
    {
        var machineCache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var machineSources = includeMachineSources ? MachineSources() : [];
        var path = Path.Combine(folder, "NuGet.config");
        var config = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "dataweaver-local"), new XAttribute("value", feed.Feed)),
                machineSources.Select(s => new XElement("add", new XAttribute("key", s.Key), new XAttribute("value", s.Value)))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "dataweaver-local"),
                    new XElement("package", new XAttribute("pattern", "DataWeaver.*"))),
                machineSources.Select(s => new XElement("packageSource", new XAttribute("key", s.Key),
                    new XElement("package", new XAttribute("pattern", "*"))))),
            new XElement("fallbackPackageFolders",
                new XElement("add", new XAttribute("key", "machine-cache"), new XAttribute("value", machineCache))));
        await File.WriteAllTextAsync(path, config.ToString());
        return path;
    }

    /// <summary>The package sources of the machine's user-wide NuGet.Config (nuget.org on a default install).</summary>
    private static List<KeyValuePair<string, string>> MachineSources()
    {
        var userConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (!File.Exists(userConfig))
        {
            return [new("nuget.org", "https://api.nuget.org/v3/index.json")];
        }

        return XDocument.Load(userConfig).Descendants("packageSources").Elements("add")
            .Select(e => new KeyValuePair<string, string>(e.Attribute("key")!.Value, e.Attribute("value")!.Value))
            .ToList();
    }

    private static string AssemblyName(string project) => project == "DataWeaver.Cli" ? "dataweaver" : project;
}
