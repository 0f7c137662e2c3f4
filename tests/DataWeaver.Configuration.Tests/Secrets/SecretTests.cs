using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Connectors;
using DataWeaver.Lifecycle;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Secrets;

/// <summary>A canary secret supplied through ${NAME} appears in no message, ToString, graph or error of a definition, a pipeline or a run.</summary>
public sealed class SecretTests
{
    private const string Canary = "CANARY-9f3c1e-s3cr3t";

    private static readonly Func<string, string?> Environment = Env.Of(("API_TOKEN", Canary), ("DB_PASSWORD", Canary + "-db"), ("PLAIN", Canary + "-plain"), ("HOST", "db.example.com"));

    private static ConnectorRegistry Registry(bool failOnOpen = false, bool failInFactory = false) => new Probes().Registry
        .RegisterSink("vault", context =>
        {
            var password = context.Settings.GetRequiredString("password");
            return failInFactory ? throw new ArgumentException($"cannot log in with '{password}'") : new LeakySink(context.Name, password, failOnOpen);
        }, new ConnectorDescriptor
        {
            Settings = [new("password", SettingType.String) { Required = true }, new("url", SettingType.String), new("apiKey", SettingType.String), new("pin", SettingType.String) { Secret = true }],
        });

    private const string Valid = """
        version: 1
        pipelines:
          - name: leaky
            source:
              type: probe
              settings:
                token: ${API_TOKEN}
            sinks:
              - type: vault
                settings:
                  password: ${DB_PASSWORD}
                  url: "https://${HOST}/${secret:PLAIN}"
                  apiKey: ${PLAIN}
                  pin: "1234-literal-pin"
        """;

    [Fact]
    public async Task ValidFile_DefinitionsGraphAndRunError_NeverShowTheSecrets()
    {
        var file = PipelineDefinitionLoader.Parse(Valid, "leaky.yaml", new PipelineLoadOptions { Registry = Registry(), Environment = Environment });
        var definition = file["leaky"];

        Assert.Equal(
            ["1234-literal-pin", Canary, Canary + "-db", Canary + "-plain", "https://db.example.com/" + Canary + "-plain"],
            file.SecretValues.Order(StringComparer.Ordinal));
        Assert.Equal("""{"password":"***","url":"***","apiKey":"***","pin":"***"}""", definition.Sinks[0].Settings.ToString());
        Assert.Equal(Canary + "-db", new ConnectorSettings(definition.Sinks[0].Settings).GetRequiredString("password")); // the factory gets the real value
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = Registry(failOnOpen: true), Environment = Environment });
        var pipeline = manager.CreatePipelines(file).Single();
        var run = manager.StartPipeline("leaky");
        await Assert.ThrowsAnyAsync<Exception>(() => run.Completion);

        Assert.Equal(PipelineState.Failed, pipeline.State);
        Assert.Contains(Canary, pipeline.LastError!.Message); // what a connector puts in its own exception is its business...
        AssertNoSecret(
            file.ToString(),
            definition.ToString(),
            definition.Source.ToString(),
            definition.Sinks[0].ToString(),
            pipeline.Pipeline.Describe().ToText(),
            pipeline.Pipeline.Describe().ToMermaid(),
            pipeline.LastErrorMessage!, // ...and the manager scrubs it for logs
            file.Scrub(pipeline.LastError!.ToString()));
        Assert.Contains("***", pipeline.LastErrorMessage);
    }

    [Theory]
    [InlineData("set: { field: token, value: \"${secret:PLAIN}\" }", "transforms[0].set.value")]
    [InlineData("set: { field: token, template: \"Bearer ${secret:PLAIN}\" }", "transforms[0].set.template")]
    [InlineData("set: { field: token, value: x, when: { field: a, op: \"==\", value: 1 }, otherwise: \"${secret:PLAIN}\" }", "transforms[0].set.otherwise")]
    [InlineData("lookup: { field: a, values: { x: \"${secret:PLAIN}\" } }", "transforms[0].lookup.values")]
    [InlineData("lookup: { field: a, values: { x: y }, default: \"${secret:PLAIN}\" }", "transforms[0].lookup.default")]
    public void Load_TransformWritingASecretIntoRecords_IsRefusedNamingTheKey(string transform, string key)
    {
        var text = $$"""
            version: 1
            pipelines:
              - name: leaky
                source: { type: probe }
                transforms:
                  - {{transform}}
                sinks:
                  - { type: vault, settings: { password: "${DB_PASSWORD}" } }
            """;

        var exception = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse(text, "leaky.yaml", new PipelineLoadOptions { Registry = Registry(), Environment = Environment }));

        var error = Assert.Single(exception.Errors);
        Assert.EndsWith(key, error.Path, StringComparison.Ordinal);
        Assert.Contains("would write a secret into every record", error.Message, StringComparison.Ordinal);
        AssertNoSecret([exception.Message, exception.ToString()]);
    }

    [Fact]
    public void InvalidFile_ErrorsAboutSecretValues_ShowStars()
    {
        const string Text = """
            version: 1
            pipelines:
              - name: leaky
                source:
                  type: probe
                  format: ${secret:PLAIN}
                  settings:
                    count: ${API_TOKEN}
                    token: ${API_TOKEN}
                    tokn: ${API_TOKEN}
                errors:
                  onFailure: ${DB_PASSWORD}
                sinks:
                  - type: vault
                    settings:
                      password: ${DB_PASSWORD}
                      pin: [1, 2]
                      url: ${secret:MISSING}
            """;

        var exception = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse(Text, "leaky.yaml", new PipelineLoadOptions { Registry = Registry(), Environment = Environment }));

        Assert.Equal(6, exception.Errors.Count);
        AssertNoSecret([exception.Message, exception.ToString(), .. exception.Errors.Select(e => e.ToString())]);
        Assert.Contains("Setting 'count' must be an integer; found '***'.", exception.Message);
    }

    [Fact]
    public void FactoryError_MessageWithTheSecret_IsScrubbed()
    {
        var file = PipelineDefinitionLoader.Parse(Valid, "leaky.yaml", new PipelineLoadOptions { Registry = Registry(), Environment = Environment });
        var factory = new PipelineFactory(Registry(failInFactory: true));

        var exception = Assert.Throws<PipelineDefinitionException>(() => factory.Create(file["leaky"]));

        var error = Assert.Single(exception.Errors);
        Assert.Equal((ConfigurationErrorCode.Construction, "pipelines[0].sinks[0]"), (error.Code, error.Path));
        Assert.Equal("Cannot create it: cannot log in with '***'", error.Message);
        AssertNoSecret(exception.Message, exception.ToString());
    }

    private static void AssertNoSecret(params string[] texts)
    {
        foreach (var text in texts)
        {
            Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
            Assert.DoesNotContain("1234-literal-pin", text, StringComparison.Ordinal);
        }
    }

    /// <summary>A sink whose connection error carries its password, as careless client libraries do.</summary>
    private sealed class LeakySink(string name, string password, bool failOnOpen) : SinkConnector<JsonRecord>(name)
    {
        public override ValueTask OpenAsync(CancellationToken cancellationToken = default) =>
            failOnOpen ? throw new InvalidOperationException($"login failed for password={password}") : default;

        public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default) => default;
    }
}
