using System.Text.Json;
using DataWeaver.Configuration.Schema.Internal;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Configuration.Internal.Transforms;

namespace DataWeaver.Configuration.Tests.Schema;

public sealed class SchemaTests
{
    private static readonly string DocsSchema = Path.Combine(TestFolder.RepositoryRoot(), "docs", "configuration", "pipeline.schema.json");

    [Fact]
    public void Text_EmbeddedSchema_IsTheDocsFile()
    {
        Assert.Equal(File.ReadAllText(DocsSchema), PipelineSchema.Text);
    }

    [Fact]
    public void Text_Schema_IsDraft202012AndCompiles()
    {
        using var document = JsonDocument.Parse(PipelineSchema.Text);

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", document.RootElement.GetProperty("$schema").GetString());
        Assert.NotNull(SchemaNode.Compile(document.RootElement)); // only the keywords the validator implements
    }

    [Fact]
    public void Compile_KeywordOutsideTheSubset_IsRefused()
    {
        using var document = JsonDocument.Parse("""{ "type": "object", "patternProperties": { "^x": {} } }""");

        var exception = Assert.Throws<InvalidOperationException>(() => SchemaNode.Compile(document.RootElement));

        Assert.Contains("patternProperties", exception.Message);
    }

    [Fact]
    public void Schema_TransformsAndOperators_MatchWhatTheCompilerImplements()
    {
        using var document = JsonDocument.Parse(PipelineSchema.Text);
        var definitions = document.RootElement.GetProperty("$defs");

        var kinds = definitions.GetProperty("transform").GetProperty("oneOf").EnumerateArray().Select(a => a.GetProperty("required")[0].GetString());
        var operators = definitions.GetProperty("condition").GetProperty("oneOf")[0].GetProperty("properties").GetProperty("op").GetProperty("enum").EnumerateArray().Select(e => e.GetString());

        Assert.Equal(["filter", "set", "rename", "drop", "cast", "timestamp", "lookup", "code", "dedupe", "enrich", "throttle", "window", "reduce", "join"], kinds);
        Assert.Equal(Conditions.Operators, operators);
    }

    [Theory]
    [InlineData("50ms", 50)]
    [InlineData("5s", 5000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    public void Durations_SchemaAndParser_Agree(string text, double milliseconds)
    {
        var errors = PipelineDefinitionLoader.Validate($$"""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [] } }
                errors: { retry: { backoff: {{text}}, maxBackoff: 2d } }
                sinks: [{ type: console }]
            """, "p.yaml");

        Assert.Equal(["pipelines[0].errors.retry.maxBackoff"], errors.Select(e => e.Path)); // 2d is above the 1d limit
        Assert.True(DataWeaver.Configuration.Internal.Units.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("64MiB", 64L * 1024 * 1024)]
    [InlineData("4 KB", 4000)]
    [InlineData("1.5GiB", 1610612736)]
    [InlineData("123", 123)]
    [InlineData("0", 0)]
    public void Sizes_SchemaAndParser_Agree(string text, long bytes)
    {
        var file = PipelineDefinitionLoader.Parse($$"""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [] } }
                capacity: { bytes: {{text}} }
                sinks: [{ type: console }]
            """, "p.yaml");

        Assert.Equal(bytes, file["p"].Capacity.Bytes);
    }
}
