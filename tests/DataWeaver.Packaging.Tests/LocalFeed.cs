using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace DataWeaver.Packaging.Tests;

/// <summary>
/// Every project in src/ packed (with no build of its own: this test project's build built them) into a folder feed
/// in a temporary folder, once for the test class. NUGET_PACKAGES of the children is a folder of its own, so a
/// package cached by an earlier run is never used in place of the one just packed.
/// </summary>
public sealed class LocalFeed : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("dataweaver-packaging-").FullName;

    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The global packages folder of every child process: only what the tests restore lands there.</summary>
    public string Packages => Path.Combine(Root, "packages");

    public static string RepositoryRoot => Metadata("DataWeaver.RepositoryRoot");

    public static string Configuration => Metadata("DataWeaver.Configuration");

    /// <summary>The project name of every project in src/, each packed as a package of that id.</summary>
    public static IReadOnlyList<string> SourceProjects { get; } = Directory.GetDirectories(Path.Combine(RepositoryRoot, "src"))
        .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
        .Select(Path.GetFileName)
        .OfType<string>()
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The version every package was packed with (the one of DataWeaver.Engine).</summary>
    public string Version { get; private set; } = string.Empty;

    public IReadOnlyDictionary<string, string> ChildEnvironment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = Packages };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var packAll = Path.Combine(Root, "pack-all.proj");
        await File.WriteAllTextAsync(packAll, $"""
            <Project>
              <ItemGroup>
                <ToPack Include="{RepositoryRoot}src/*/*.csproj" />
              </ItemGroup>
              <Target Name="Build">
                <MSBuild Projects="@(ToPack)" Targets="Pack" Properties="Configuration={Configuration};NoBuild=true;PackageOutputPath={Feed}/" />
              </Target>
            </Project>
            """);
        await DotnetProcess.DotnetAsync(Root, ChildEnvironment, "msbuild", packAll, "-nologo", "-v:m");
        Version = Nuspec("DataWeaver.Engine").Descendants().Single(e => e.Name.LocalName == "version").Value;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    public string PackagePath(string id) =>
        Directory.GetFiles(Feed, id + ".*.nupkg").Single(p => IsVersionOf(id, Path.GetFileName(p)));

    public XDocument Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        using var stream = zip.GetEntry(id + ".nuspec")!.Open();
        return XDocument.Load(stream);
    }

    public IReadOnlyList<string> Entries(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    /// <summary>A file in this feed's id.version.nupkg naming, not another package's whose id starts the same.</summary>
    private static bool IsVersionOf(string id, string fileName) =>
        fileName.EndsWith(".nupkg", StringComparison.Ordinal)
        && !fileName.EndsWith(".symbols.nupkg", StringComparison.Ordinal)
        && fileName.Length > id.Length + 1
        && char.IsAsciiDigit(fileName[id.Length + 1]);

    private static string Metadata(string key) =>
        typeof(LocalFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
