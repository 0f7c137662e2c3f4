using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Operations.Tests.Support;

namespace DataWeaver.Operations.Tests.Prometheus;

/// <summary>ops/grafana/dataweaver-dashboard.json: every query uses only metrics a real scrape of a running pipeline has.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public async Task Dashboard_EveryQuery_UsesOnlyMetricsARealScrapeHas()
    {
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ops", "grafana", "dataweaver-dashboard.json"))).RootElement;
        var queries = dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Append(dashboard.GetProperty("templating").GetProperty("list")[1].GetProperty("query").GetString()!)
            .ToList();
        await using var ops = await OperationsFixture.StartAsync("dashboard");
        await Wait.UntilAsync(() => ops.Sink.Count > 5_000 && !ops.Source.Commits.IsEmpty, "records flow and commit");

        var scrape = string.Empty;
        await Wait.UntilAsync(async () => (scrape = await ops.Http.GetStringAsync("/metrics")).Contains("dataweaver_commits_total{", StringComparison.Ordinal), "a commit is counted");
        var scraped = ScrapedName().Matches(scrape).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var used = queries.SelectMany(q => MetricName().Matches(Labels().Replace(q, " ")).Select(m => m.Value)).Distinct().ToList();
        var labels = queries.SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).Distinct().Except(used).ToList();

        Assert.True(queries.Count >= 10, "the dashboard has its panels");
        Assert.All(used, name => Assert.Contains(name, scraped));
        Assert.All(labels, label => Assert.Contains(label + "=\"", scrape, StringComparison.Ordinal));
        Assert.Contains("dataweaver_latency_seconds_bucket", used);
        Assert.Contains("dataweaver_pipeline", labels);
    }

    /// <summary>Where a query names labels: selectors, <c>by (...)</c>, and label_values' second argument.</summary>
    [GeneratedRegex(@"\{[^}]*\}|by \([^)]*\)|,\s*dataweaver_[a-z_]+\)")]
    private static partial Regex Labels();

    [GeneratedRegex(@"\bdataweaver_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^(?<name>dataweaver_[a-z_]+)[{ ]", RegexOptions.Multiline)]
    private static partial Regex ScrapedName();
}
