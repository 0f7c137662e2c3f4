using System.Globalization;
using System.Text.Json;
using DataWeaver.Operations.Tests.Support;

namespace DataWeaver.Operations.Tests.Prometheus;

/// <summary>A real Prometheus (eng/services/prometheus.sh) scrapes a running pipeline's /metrics; PromQL over its HTTP API sees it.</summary>
public sealed class PrometheusScrapeTests
{
    [SkippableFact]
    public async Task Prometheus_ScrapesRunningPipeline_PromQlReturnsTheRecordsOutRate()
    {
        var (url, targets) = await StartPrometheusAsync();
        var name = "scraped-" + Guid.NewGuid().ToString("N")[..8];
        await using var ops = await OperationsFixture.StartAsync(name);
        var target = Path.Combine(targets, name + ".json");
        File.WriteAllText(target, $$"""[{ "targets": ["{{ops.Server.Address.Authority}}"], "labels": { "test": "{{name}}" } }]""");
        try
        {
            using var prometheus = new HttpClient { BaseAddress = new Uri(url), Timeout = Wait.Guard };
            var query = $"sum(rate(dataweaver_records_out_total{{dataweaver_pipeline=\"{name}\"}}[5s]))";
            double rate = 0;
            await Wait.UntilAsync(
                async () => (rate = await QueryScalarAsync(prometheus, query)) > 0,
                "Prometheus reports a records-out rate");

            var total = await QueryScalarAsync(prometheus, $"sum(dataweaver_records_out_total{{dataweaver_pipeline=\"{name}\"}})");
            Assert.InRange(total, 1, ops.Sink.Count);                 // what was scraped was written: never more than the sink holds
            Assert.True(rate > 0);

            // The alert rules are loaded by the same server (ops/prometheus/dataweaver-alerts.yml).
            var rules = await prometheus.GetStringAsync("/api/v1/rules");
            Assert.Contains("DataWeaverPipelineStalled", rules, StringComparison.Ordinal);

            // Every query of the Grafana dashboard is PromQL this Prometheus accepts, and the in/out panel has data.
            var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ops", "grafana", "dataweaver-dashboard.json"))).RootElement;
            foreach (var expr in dashboard.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!))
            {
                await QueryScalarAsync(prometheus, expr.Replace("$pipeline", name, StringComparison.Ordinal));
            }
        }
        finally
        {
            File.Delete(target);
        }
    }

    private static async Task<double> QueryScalarAsync(HttpClient prometheus, string query)
    {
        var json = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query))).RootElement;
        Assert.Equal("success", json.GetProperty("status").GetString());
        var result = json.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Runs the service script (idempotent: a Prometheus it already started is used as it is).</summary>
    private static async Task<(string Url, string Targets)> StartPrometheusAsync()
    {
        var root = Tool.RepositoryRoot();
        var (exit, output, error) = await Tool.RunAsync("bash", root, "-c", "source eng/services/prometheus.sh >&2 && echo \"$DATAWEAVER_PROMETHEUS_URL|$DATAWEAVER_PROMETHEUS_TARGETS\" && curl -fsS \"$DATAWEAVER_PROMETHEUS_URL/-/ready\" >&2");
        Skip.If(exit != 0, "no Prometheus (eng/services/prometheus.sh): " + error);
        var parts = output.Trim().Split('\n')[^1].Split('|');
        return (parts[0], parts[1]);
    }
}
