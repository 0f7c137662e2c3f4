using DataWeaver.Operations.Tests.Support;

namespace DataWeaver.Operations.Tests.Prometheus;

/// <summary>ops/prometheus/dataweaver-alerts.yml, checked and unit-tested with promtool (Debian's prometheus package, eng/services/prometheus.sh).</summary>
public sealed class AlertRulesTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "ops", "prometheus");

    [SkippableFact]
    public async Task PromtoolCheckRules_AlertRulesFile_IsValid()
    {
        Skip.IfNot(Tool.Exists("promtool"), "promtool is not installed (eng/services/prometheus.sh installs it)");

        var (exit, output, error) = await Tool.RunAsync("promtool", Folder, "check", "rules", "dataweaver-alerts.yml");

        Assert.True(exit == 0, output + error);
        Assert.Contains("SUCCESS: 5 rules found", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task PromtoolTestRules_EveryAlert_FiresOnItsSeriesAndNotOnHealthyPipelines()
    {
        Skip.IfNot(Tool.Exists("promtool"), "promtool is not installed (eng/services/prometheus.sh installs it)");

        var (exit, output, error) = await Tool.RunAsync("promtool", Folder, "test", "rules", "dataweaver-alerts.test.yml");

        Assert.True(exit == 0, output + error);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        var tested = File.ReadAllText(Path.Combine(Folder, "dataweaver-alerts.test.yml"));
        foreach (var alert in new[] { "DataWeaverPipelineFailed", "DataWeaverPipelineStalled", "DataWeaverCommitLagRising", "DataWeaverErrorRate", "DataWeaverDeadLetters" })
        {
            Assert.Contains("alertname: " + alert, tested, StringComparison.Ordinal);
        }
    }
}
