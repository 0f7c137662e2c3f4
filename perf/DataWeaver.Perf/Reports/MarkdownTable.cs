using System.Globalization;
using System.Text;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Reports;

/// <summary>
/// The results table: one row per peer (n/a where a peer does not apply), ratios are throughput ratios. CPU ns/record
/// is the process CPU time (all threads) per record and records/s per core its inverse, so a peer that keeps two cores
/// busy is not credited twice.
/// </summary>
internal static class MarkdownTable
{
    public static string Render(WorkloadResult workload)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {workload.Name}: {workload.Title} ({workload.Records:N0} records)");
        text.AppendLine();
        text.AppendLine("| peer | ns/record | records/s | CPU ns/record | records/s per core | bytes/record | vs raw-loop | vs naive-dataflow |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var name in PeerNames.Canonical.Concat(PeerNames.ExtraRows))
        {
            var peer = workload.Peer(name);
            if (peer is null)
            {
                if (PeerNames.Canonical.Contains(name))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | n/a | n/a | n/a | n/a | n/a | n/a | n/a |");
                }

                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Number(peer.NsPerRecord)} | {peer.RecordsPerSecond:N0} | {Number(peer.CpuNsPerRecord)} | {1e9 / peer.CpuNsPerRecord:N0} | {peer.BytesPerRecord:F3} | {Ratio(workload.Ratio(name, PeerNames.RawLoop))} | {Ratio(workload.Ratio(name, PeerNames.NaiveDataflow))} |");
        }

        return text.ToString();
    }

    public static string Number(double value) => value switch
    {
        double.NaN => "n/a",
        < 10 => value.ToString("F2", CultureInfo.InvariantCulture),
        < 100 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string Ratio(double value) => double.IsNaN(value) ? "n/a" : Number(value) + "x";
}
