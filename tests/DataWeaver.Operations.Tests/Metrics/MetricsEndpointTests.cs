using System.Text.RegularExpressions;
using DataWeaver.Operations.Tests.Support;

namespace DataWeaver.Operations.Tests.Metrics;

public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_RunningPipeline_PrometheusTextWithConventionalNamesUnitsAndSecondsBuckets()
    {
        await using var ops = await OperationsFixture.StartAsync("metered");
        await Wait.UntilAsync(() => ops.Sink.Count > 5_000, "records flow");

        var text = string.Empty;
        await Wait.UntilAsync(
            async () => RecordsOut().IsMatch(text = await ops.Http.GetStringAsync("/metrics")) && text.Contains("dataweaver_latency_seconds_bucket", StringComparison.Ordinal),
            "the scrape shows records written");

        Assert.Contains("# TYPE dataweaver_records_in_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dataweaver_records_out_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dataweaver_latency_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dataweaver_block_busy_time_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Matches(@"dataweaver_pipeline_state\{[^}]*dataweaver_pipeline=""metered""[^}]*dataweaver_state=""running""[^}]*\} 1", text);

        // The latency histogram's buckets are the instrument's own, in seconds, from 0.5 ms to 60 s.
        Assert.Matches(@"dataweaver_latency_seconds_bucket\{[^}]*le=""0\.0005""", text);
        Assert.Matches(@"dataweaver_latency_seconds_bucket\{[^}]*le=""60""", text);
        Assert.DoesNotMatch(@"le=""5000""", text); // not OpenTelemetry's default buckets (milliseconds)
    }

    [GeneratedRegex(@"^dataweaver_records_out_total\{[^}]*dataweaver_pipeline=""metered""[^}]*\} [1-9]", RegexOptions.Multiline)]
    private static partial Regex RecordsOut();
}
