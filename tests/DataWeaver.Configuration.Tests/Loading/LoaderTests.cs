using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Loading.Internal;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Configuration.Tests.Loading;

public sealed class LoaderTests
{
    private static string Example(string name) => Path.Combine(TestFolder.RepositoryRoot(), "docs", "configuration", "examples", name);

    [Fact]
    public void Load_SameFileAsYamlAndJson_GivesEqualDefinitions()
    {
        var yaml = PipelineDefinitionLoader.Load(Example("orders.yaml"));
        var json = PipelineDefinitionLoader.Load(Example("orders.json"));

        Assert.Equal(PipelineFileFormat.Yaml, yaml.Format);
        Assert.Equal(PipelineFileFormat.Json, json.Format);
        Assert.Equal(yaml.Pipelines, json.Pipelines);
        Assert.Equal(7, yaml["orders"].Transforms.Count);
        Assert.NotEqual(yaml["orders"].Source.Location, json["orders"].Source.Location); // positions differ, definitions do not
    }

    public static TheoryData<string> YamlExamples() =>
    [
        .. new[] { "docs/configuration/examples", "samples/config" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(TestFolder.RepositoryRoot(), folder), "*.yaml"))
            .Select(f => Path.GetRelativePath(TestFolder.RepositoryRoot(), f)),
    ];

    [Theory]
    [MemberData(nameof(YamlExamples))]
    public void Parse_YamlExampleRewrittenAsJson_GivesEqualDefinitions(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(TestFolder.RepositoryRoot(), relativePath));
        var tree = YamlConfigReader.Read(text, new ErrorList("x.yaml"))!;

        var fromYaml = PipelineDefinitionLoader.Parse(text, "example.yaml", new PipelineLoadOptions { Environment = Env.Empty });
        var fromJson = PipelineDefinitionLoader.Parse(tree.ToJson(revealSecrets: true), "example.json", new PipelineLoadOptions { Environment = Env.Empty });

        Assert.Equal(fromYaml.Pipelines, fromJson.Pipelines);
    }

    [Theory]
    [InlineData("capacity: { inFlightRecords: 2000 }", 2000, 8000, 2000)]
    [InlineData("batch: { size: 64 }", 64, 4096, 65_536)]
    [InlineData("batch: { size: 2048 }", 2048, 8192, 65_536)]
    public void Parse_BatchOrInFlightGiven_DefaultsFollowAsInTheEngine(string yaml, int batchSize, int blockRecords, int inFlight)
    {
        var file = PipelineDefinitionLoader.Parse($$"""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ a: 1 }] } }
                {{yaml}}
                sinks: [{ type: console }]
            """, "p.yaml");
        var p = file["p"];

        Assert.Equal(batchSize, p.Batch.Size);
        Assert.Equal(blockRecords, p.Capacity.Records);
        Assert.Equal(inFlight, p.Capacity.InFlightRecords);
    }

    [Fact]
    public void Parse_MinimalFile_HasTheDocumentedDefaults()
    {
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ a: 1 }] } }
                sinks: [{ type: console }]
            """, "p.yaml");
        var p = file["p"];

        Assert.Equal(FrameworkDefinition.InProcess, p.Framework);
        Assert.Equal(FormatDefinition.Json.Name, p.Source.Format.Name);
        Assert.Empty(p.Transforms);
        Assert.Equal(new ParallelismDefinition { Degree = 1, Ordering = StageOrdering.Ordered }, p.Parallelism);
        Assert.Equal(new BatchDefinition { Size = 4096, Window = null }, p.Batch);
        Assert.Equal(new CapacityDefinition { Records = 16_384, Bytes = 256L * 1024 * 1024, InFlightRecords = 65_536 }, p.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(5), p.CommitInterval);
        Assert.Equal(ErrorAction.Fail, p.Errors.OnFailure);
        Assert.Equal(ErrorClass.Fatal, p.Errors.UnknownErrors);
        Assert.Equal(new RetryDefinition { Attempts = 1, Backoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(30) }, p.Errors.Retry);
        Assert.Equal("console", p.Sinks[0].Name);
        Assert.Equal("memory", p.Source.Name);
        Assert.Empty(file.SecretValues);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEveryOneAtOnceInFileOrder()
    {
        const string Text = """
            version: 1
            pipelines:
              - name: orders
                source: { type: genrator }
                transforms:
                  - filter: { field: amount, op: "=>", value: 1 }
                  - cast: { field: qty, to: integer }
                parallelism: { degree: 0 }
                batch: { window: soon }
                errors: { onFailure: dead-letter }
                sinks:
                  - { type: json-lines-file, settings: { pth: out.jsonl } }
              - name: orders
                source: { type: memory, settings: { records: [] } }
                sinks: [{ type: console, settings: { target: stdlog } }]
            """;

        var exception = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse(Text, "many.yaml"));

        Assert.Equal(
        [
            "many.yaml:4:21: pipelines[0].source.type: Unknown source 'genrator' (did you mean 'generator'?).",
            "many.yaml:6:38: pipelines[0].transforms[0].filter.op: '=>' is not one of: ==, !=, <, <=, >, >=, in, not-in, exists, contains, startsWith, endsWith (did you mean '=='?).",
            "many.yaml:7:33: pipelines[0].transforms[1].cast.to: 'integer' is not one of: int, long, double, decimal, string, bool, timestamp.",
            "many.yaml:8:28: pipelines[0].parallelism.degree: Must be at least 1; found 0.",
            "many.yaml:9:22: pipelines[0].batch.window: Must be a duration: a number and a unit (ms, s, m, h or d), such as 50ms, 5s or 2m; found 'soon'.",
            "many.yaml:10:26: pipelines[0].errors.onFailure: 'onFailure: dead-letter' needs a dead-letter target: add errors.deadLetter, e.g. { type: json-lines-file, settings: { path: dead-letters.jsonl } }.",
            "many.yaml:12:44: pipelines[0].sinks[0].settings.path: The sink 'json-lines-file' needs the setting 'path': The file to write (folders are created).",
            "many.yaml:12:46: pipelines[0].sinks[0].settings.pth: The sink 'json-lines-file' has no setting 'pth' (did you mean 'path'?).",
            "many.yaml:13:11: pipelines[1].name: Duplicate pipeline name 'orders': it is already the name of pipelines[0].name (line 3); names are unique within a file.",
            "many.yaml:15:50: pipelines[1].sinks[0].settings.target: Setting 'target' must be one of stdout, stderr; found 'stdlog'.",
        ], exception.Errors.Select(e => e.ToString()));
        Assert.StartsWith("Invalid pipeline (10 problems):", exception.Message);
        Assert.Equal(ErrorClass.Fatal, exception.ErrorClass);
        Assert.IsAssignableFrom<PipelineConfigurationException>(exception);
    }

    [Fact]
    public void Validate_ValidAndInvalidText_ReturnsTheProblemsWithoutThrowing()
    {
        Assert.Empty(PipelineDefinitionLoader.Validate(File.ReadAllText(Example("orders.yaml")), "orders.yaml"));
        Assert.Equal(["version"], PipelineDefinitionLoader.Validate("pipelines: []", "x.yaml").Select(e => e.Path).Where(p => p == "version"));
    }

    [Fact]
    public void Load_MissingFile_ReportsTheFile()
    {
        var exception = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Load("/no/such/pipeline.yaml"));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(ConfigurationErrorCode.File, error.Code);
        Assert.Equal("/no/such/pipeline.yaml", error.File);
    }

    [Fact]
    public void Parse_Variables_AreReplacedWithTypesDefaultsAndEscapes()
    {
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: ${NAME}
                description: "$${not-a-variable}"
                source:
                  type: generator
                  settings:
                    count: "${COUNT}"
                    rate: ${RATE:-1000}
                    fields: { label: "{n}" }
                batch:
                  size: ${BATCH}
                sinks: [{ type: json-lines-file, settings: { path: "${DIR}/out-${NAME}.jsonl" } }]
            """, "v.yaml", new PipelineLoadOptions { Environment = Env.Of(("NAME", "orders"), ("COUNT", "7"), ("BATCH", "128"), ("DIR", "/data")) });
        var p = file["orders"];

        Assert.Equal(7, new ConnectorSettings(p.Source.Settings).GetInt64("count", 0));
        Assert.Equal(1000, new ConnectorSettings(p.Source.Settings).GetDouble("rate", 0));
        Assert.Equal("${not-a-variable}", p.Description);
        Assert.Equal(128, p.Batch.Size);
        Assert.Equal("/data/out-orders.jsonl", p.Sinks[0].Settings["path"]!.Text);
    }

    [Fact]
    public void Parse_VariableThatIsNotANumber_IsATypeErrorWhereANumberBelongs()
    {
        var errors = PipelineDefinitionLoader.Validate("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [] } }
                batch:
                  size: ${BATCH}
                sinks: [{ type: console }]
            """, "v.yaml", new PipelineLoadOptions { Environment = Env.Of(("BATCH", "lots")) });

        var error = Assert.Single(errors);
        Assert.Equal(("pipelines[0].batch.size", ConfigurationErrorCode.Type, 6, 13), (error.Path, error.Code, error.Line, error.Column));
    }

    [Fact]
    public void Parse_AnchorsAliasesAndMergeKeys_AreResolved()
    {
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: a
                source: &source { type: memory, settings: { records: [{ x: 1 }] } }
                sinks:
                  - &file { type: json-lines-file, settings: { path: a.jsonl, append: true } }
              - name: b
                source: *source
                sinks:
                  - <<: *file
                    settings: { path: b.jsonl }
            """, "anchors.yaml");

        Assert.Equal(file["a"].Source with { Path = "", Location = default }, file["b"].Source with { Path = "", Location = default, Settings = file["a"].Source.Settings });
        Assert.Equal("pipelines[1].source.settings", file["b"].Source.Settings.Path);
        Assert.Equal("json-lines-file", file["b"].Sinks[0].Type);
        Assert.Equal("""{"path":"b.jsonl"}""", file["b"].Sinks[0].Settings.ToJson()); // an explicit key replaces the merged one whole
    }

    [Fact]
    public void Parse_YamlCoreSchema_KeepsYesAndNoAsStrings()
    {
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ country: NO, ok: yes, hex: 0x1F, octal: 0o17, real: 1.5e3, half: .5, one: 1., none: ~, t: True }] } }
                sinks: [{ type: console }]
            """, "p.yaml");

        Assert.Equal("""[{"country":"NO","ok":"yes","hex":31,"octal":15,"real":1.5e3,"half":0.5,"one":1,"none":null,"t":true}]""", file["p"].Source.Settings["records"]!.ToJson());
    }

    [Fact]
    public void Parse_JsonWithMultiByteCharacters_CountsColumnsInCharacters()
    {
        var errors = PipelineDefinitionLoader.Validate("""
            {
              "version": 1, "pipelines": [{ "name": "p", "description": "día ünïcödé 😀", "sourc": {} }]
            }
            """, "p.json");

        var unknown = Assert.Single(errors, e => e.Code == ConfigurationErrorCode.UnknownKey);
        Assert.Equal((2, 79, "pipelines[0].sourc"), (unknown.Line, unknown.Column, unknown.Path)); // UTF-16 characters, as editors count: the emoji is two
    }

    [Fact]
    public void Parse_JsonCommentsAndTrailingCommas_AreAccepted()
    {
        var file = PipelineDefinitionLoader.Parse("""
            {
              // a comment
              "version": 1,
              "pipelines": [{ "name": "p", "source": { "type": "memory", "settings": { "records": [] } }, "sinks": [{ "type": "console" },], },],
            }
            """, "p.json");

        Assert.Equal("p", file.Pipelines.Single().Name);
    }

    [Fact]
    public void Parse_SecondYamlDocument_IsRefused()
    {
        var error = Assert.Single(PipelineDefinitionLoader.Validate("version: 1\n---\nversion: 1\n", "two.yaml"));

        Assert.Equal((ConfigurationErrorCode.Syntax, 2, 1), (error.Code, error.Line, error.Column));
    }

    [Fact]
    public void Parse_TopLevelFramework_IsTheDefaultOfEveryPipeline()
    {
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            framework: { type: in-process, settings: { partitionCapacity: 100 } }
            pipelines:
              - name: a
                source: { type: memory, settings: { records: [] } }
                sinks: [{ type: console }]
              - name: b
                framework: { type: in-process }
                source: { type: memory, settings: { records: [] } }
                sinks: [{ type: console }]
            """, "f.yaml");

        Assert.Equal("""{"partitionCapacity":100}""", file["a"].Framework.Settings.ToJson());
        Assert.Equal(FrameworkDefinition.InProcess, file["b"].Framework);
    }
}
