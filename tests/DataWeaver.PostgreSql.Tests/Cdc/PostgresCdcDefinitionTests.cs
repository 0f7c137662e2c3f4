using DataWeaver.Configuration;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>The postgres-cdc type's settings checked when a file loads: every failure named, no secret in the error.</summary>
public sealed class PostgresCdcDefinitionTests
{
    [Fact]
    public void Load_CdcWithBadSlotAndSnapshotWithoutCheckpoints_BothFailuresReported()
    {
        const string Text = """
            version: 1
            pipelines:
              - name: broken
                source: { type: postgres-cdc, settings: { connectionString: "Host=h;Password=${secret:PG_PASSWORD}", slot: Bad-Slot, snapshot: true } }
                sinks: [ { type: console } ]
            """;
        var registry = ConnectorRegistry.CreateDefault().AddPostgreSql();

        var error = Assert.ThrowsAny<Exception>(() => PipelineDefinitionLoader.Parse(Text, "broken.yaml", new PipelineLoadOptions { Registry = registry, Environment = _ => "pw-canary-cdc-78" }));

        Assert.Contains("Slot must be 1 to 63 lower-case letters", error.Message, StringComparison.Ordinal);
        Assert.Contains("CheckpointStore is required with Snapshot", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-cdc-78", error.ToString(), StringComparison.Ordinal);
    }
}
