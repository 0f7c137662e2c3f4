using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.List;

/// <summary>Issue 11, build 2: <c>dataweaver list</c> of connector, transform and format types with their settings.</summary>
public sealed class ListCommandTests : IDisposable
{
    private readonly TestFolder _folder = new();

    [Fact]
    public async Task List_NoArguments_ListsEveryKindWithTheBuiltInsAndKafka()
    {
        var result = await _folder.Cli().RunAsync("list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["sources", "sinks", "transforms", "formats", "frameworks"], result.OutLines.Where(l => !l.StartsWith(' ')));
        foreach (var name in new[] { "  generator: ", "  json-lines-file: ", "  file: ", "  console: ", "  filter", "  cast", "  csv", "  avro", "  kafka", "  nats" })
        {
            Assert.Contains(result.OutLines, l => l.StartsWith(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task List_KindAndName_ShowsTheSettingsWithTypesDefaultsAndAllowedValues()
    {
        var result = await _folder.Cli().RunAsync("list", "sinks", "console");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "sinks",
                "  console: Writes one record per line to the console.",
                "    target (string): Standard output or standard error; one of: stdout, stderr; default stdout",
            ],
            result.OutLines);
    }

    [Fact]
    public async Task List_Transforms_ShowsTheKeysOfEachTransform()
    {
        var result = await _folder.Cli().RunAsync("list", "transforms", "rename");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["transforms", "  rename", "    from (required)", "    to (required)"], result.OutLines);
    }

    [Fact]
    public async Task List_UnknownName_Exits2()
    {
        var result = await _folder.Cli().RunAsync("list", "sources", "nothing");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["nothing named 'nothing' among the sources; 'dataweaver list' shows every name."], result.ErrorLines);
    }

    public void Dispose() => _folder.Dispose();
}
