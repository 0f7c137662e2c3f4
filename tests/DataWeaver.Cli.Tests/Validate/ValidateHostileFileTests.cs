using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Validate;

public sealed class ValidateHostileFileTests : IDisposable
{
    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Validate_FolderAsFile_SaysItIsAFolderAndExits2()
    {
        Directory.CreateDirectory(_folder["pipelines"]);

        var result = await _folder.Cli().RunAsync("validate", "pipelines");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("pipelines", line, StringComparison.Ordinal);
        Assert.Contains("is a folder, not a file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_YamlNested30000Deep_ReportsTheLimitAndExits2()
    {
        _folder.Write("deep.yaml", "pipelines:\n  - name: p\n    source: " + new string('[', 30_000) + new string(']', 30_000) + "\n");

        var result = await _folder.Cli().RunAsync("validate", "deep.yaml");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("deep.yaml:3:", line, StringComparison.Ordinal);
        Assert.Contains("nested more than 64 levels", line, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
