using System.Globalization;
using System.Text;
using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Loading;

/// <summary>Hostile or broken definition files get a clear, positioned error, never a crash, a hang or a huge allocation.</summary>
public sealed class HostileFileTests
{
    [Fact]
    public void Validate_YamlNested30000Deep_ReportsTheDepthLimit()
    {
        var text = "pipelines:\n  - name: p\n    source: " + new string('[', 30_000) + new string(']', 30_000) + "\n";

        var errors = PipelineDefinitionLoader.Validate(text, "deep.yaml");

        var error = Assert.Single(errors, e => e.Code == ConfigurationErrorCode.Limit);
        Assert.Contains("nested more than 64", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void Validate_JsonNested30000Deep_ReportsTheDepthLimit()
    {
        var text = "{\"pipelines\": " + new string('[', 30_000) + new string(']', 30_000) + "}";

        var errors = PipelineDefinitionLoader.Validate(text, "deep.json");

        Assert.Contains(errors, e => e.Code is ConfigurationErrorCode.Limit or ConfigurationErrorCode.Syntax && e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Validate_YamlAliasBomb_StopsAtTheNodeBudget()
    {
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"a{i}: &a{i} [").AppendJoin(", ", Enumerable.Repeat($"*a{i - 1}", 9)).Append("]\n");
        }

        text.Append("pipelines: []\n");
        var before = GC.GetTotalAllocatedBytes(precise: false);

        var errors = PipelineDefinitionLoader.Validate(text.ToString(), "bomb.yaml");

        var error = Assert.Single(errors, e => e.Code == ConfigurationErrorCode.Limit);
        Assert.Contains("aliases", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes(precise: false) - before < 512L * 1024 * 1024, "the loader allocated more than 512 MiB for a 1 KiB file");
    }

    [Fact]
    public void Validate_TabIndentOnLine7_ReportsLine7()
    {
        var text = "version: 1\npipelines:\n  - name: p\n    source:\n      type: generator\n      settings:\n\tcount: 1\n";

        var errors = PipelineDefinitionLoader.Validate(text, "tab.yaml");

        var error = Assert.Single(errors);
        Assert.Equal(ConfigurationErrorCode.Syntax, error.Code);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("tab", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Load_DirectoryAsFile_SaysItIsAFolder()
    {
        using var folder = new TestFolder();

        var exception = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Load(folder.Path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(ConfigurationErrorCode.File, error.Code);
        Assert.Contains("is a folder", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Load_FileLargerThanTheLimit_IsRefusedBeforeParsing()
    {
        using var folder = new TestFolder();
        var path = Path.Combine(folder.Path, "huge.yaml");
        File.WriteAllText(path, "# " + new string('x', 17 * 1024 * 1024) + "\npipelines: []\n");

        var exception = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Load(path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(ConfigurationErrorCode.Limit, error.Code);
        Assert.Contains("16 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MemoryRecordNested100Deep_ReportsTheDepthLimitAtTheRecord()
    {
        var record = new string('[', 100) + new string(']', 100);
        var text = $"version: 1\npipelines:\n  - name: p\n    source: {{ type: memory, settings: {{ records: [{{ a: {record} }}] }} }}\n    sinks: [{{ type: console }}]\n";

        var errors = PipelineDefinitionLoader.Validate(text, "deep-record.yaml");

        var error = Assert.Single(errors);
        Assert.Equal(ConfigurationErrorCode.Limit, error.Code);
        Assert.Equal(4, error.Location.Line);
    }

    [Theory]
    [InlineData(">=")]
    [InlineData("<")]
    public void Validate_OrderingFilterWithQuotedNumber_IsATypeErrorNamingTheValue(string op)
    {
        var text = $$"""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ age: 20 }] } }
                transforms:
                  - filter: { field: age, op: "{{op}}", value: "18" }
                sinks: [{ type: console }]
            """;

        var errors = PipelineDefinitionLoader.Validate(text, "quoted.yaml");

        var error = Assert.Single(errors);
        Assert.Equal(ConfigurationErrorCode.Type, error.Code);
        Assert.Equal(6, error.Location.Line);
        Assert.Contains("write 18 without quotes", error.Message, StringComparison.Ordinal);
    }
}
