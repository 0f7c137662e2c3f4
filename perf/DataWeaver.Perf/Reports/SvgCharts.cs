using System.Globalization;
using System.Text;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Reports;

/// <summary>Hand-written SVG bar charts (no tools needed): horizontal bars on a log scale, one group per workload.</summary>
internal static class SvgCharts
{
    private const int LabelWidth = 230;
    private const int BarWidth = 560;
    private const int Row = 18;

    /// <summary>ns/record of every peer in every workload (log scale: the peers span four orders of magnitude).</summary>
    public static string NsPerRecord(IReadOnlyList<WorkloadResult> results) =>
        Chart(
            "ns per record (log scale, shorter is faster)",
            results.Select(w => (w.Name + ": " + w.Title, w.Peers.Select(p => (p.Name, new[] { p.NsPerRecord })).ToList())).ToList(),
            ["ns/record"],
            "ns");

    /// <summary>W5's p50 and p99 end-to-end latency per peer.</summary>
    public static string Latency(WorkloadResult w5) =>
        Chart(
            "W5 end-to-end latency per record, microseconds (log scale)",
            [(w5.Name + ": " + w5.Title, w5.Peers.Select(p => (p.Name, new[] { p.Extra("p50LatencyMicros"), p.Extra("p99LatencyMicros") })).ToList())],
            ["p50", "p99"],
            "us");

    private static string Chart(string title, List<(string Group, List<(string Peer, double[] Values)> Bars)> groups, string[] series, string unit)
    {
        var values = groups.SelectMany(g => g.Bars).SelectMany(b => b.Values).Where(v => v > 0 && double.IsFinite(v)).DefaultIfEmpty(1).ToList();
        var low = Math.Floor(Math.Log10(values.Min()));
        var high = Math.Ceiling(Math.Log10(values.Max()));
        high = Math.Max(high, low + 1);
        double X(double value) => LabelWidth + (BarWidth * (Math.Log10(Math.Max(value, Math.Pow(10, low))) - low) / (high - low));

        var rows = groups.Sum(g => 1 + (g.Bars.Count * series.Length)) + 3;
        var height = (rows * Row) + 40;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{LabelWidth + BarWidth + 90}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">"));
        svg.AppendLine(Invariant($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{Escape(title)}</text>"));
        var top = 30;
        for (var decade = low; decade <= high; decade++)
        {
            var x = X(Math.Pow(10, decade));
            svg.AppendLine(Invariant($"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{height - 20}\" stroke=\"#ddd\"/><text x=\"{x:F1}\" y=\"{height - 6}\" text-anchor=\"middle\" fill=\"#555\">{Pow10(decade)} {unit}</text>"));
        }

        var y = top;
        foreach (var (group, bars) in groups)
        {
            y += Row;
            svg.AppendLine(Invariant($"<text x=\"8\" y=\"{y - 4}\" font-weight=\"bold\">{Escape(group)}</text>"));
            foreach (var (peer, peerValues) in bars)
            {
                for (var s = 0; s < series.Length; s++)
                {
                    var value = peerValues[s];
                    var label = series.Length > 1 ? $"{peer} {series[s]}" : peer;
                    svg.AppendLine(Invariant($"<text x=\"{LabelWidth - 6}\" y=\"{y + 12}\" text-anchor=\"end\">{Escape(label)}</text>"));
                    if (double.IsFinite(value) && value > 0)
                    {
                        var end = X(value);
                        svg.AppendLine(Invariant($"<rect x=\"{LabelWidth}\" y=\"{y + 3}\" width=\"{Math.Max(1, end - LabelWidth):F1}\" height=\"{Row - 6}\" fill=\"{Color(peer, s)}\"/><text x=\"{end + 4:F1}\" y=\"{y + 12}\" fill=\"#333\">{MarkdownTable.Number(value)}</text>"));
                    }

                    y += Row;
                }
            }
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Color(string peer, int series) => peer.StartsWith(PeerNames.DataWeaver, StringComparison.Ordinal)
        ? (series == 0 ? "#1f6feb" : "#0b3d91")
        : peer == PeerNames.RawLoop ? (series == 0 ? "#8b949e" : "#57606a") : (series == 0 ? "#e3a34b" : "#b06d14");

    private static string Pow10(double decade) => Math.Pow(10, decade).ToString(decade < 0 ? "0.###" : "#,0", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
