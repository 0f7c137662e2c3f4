using System.Text.Json;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Reports;

/// <summary>
/// Writes <c>{"workloads":[{"name":"W1","peers":[{"name":"dataweaver","nsPerRecord":1.2,"recordsPerSecond":8.3e8,
/// "bytesPerRecord":0.0, ...}]}]}</c>. Beside the three required numbers each peer carries its CPU time per record, its
/// ratios to raw-loop and naive-dataflow (throughput ratios, absent where that peer did not run) and the workload's
/// extras (W3's GB/s, W5's latencies and working set). Peers that do not apply to a workload are left out.
/// </summary>
internal static class JsonReport
{
    public static void Write(string path, IReadOnlyList<WorkloadResult> results)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("workloads");
        foreach (var workload in results)
        {
            json.WriteStartObject();
            json.WriteString("name", workload.Name);
            json.WriteStartArray("peers");
            foreach (var peer in workload.Peers)
            {
                json.WriteStartObject();
                json.WriteString("name", peer.Name);
                json.WriteNumber("nsPerRecord", Round(peer.NsPerRecord));
                json.WriteNumber("recordsPerSecond", Round(peer.RecordsPerSecond));
                json.WriteNumber("bytesPerRecord", Round(peer.BytesPerRecord));
                json.WriteNumber("cpuNsPerRecord", Round(peer.CpuNsPerRecord));
                WriteIfNumber(json, "ratioToRawLoop", workload.Ratio(peer.Name, PeerNames.RawLoop));
                WriteIfNumber(json, "ratioToNaiveDataflow", workload.Ratio(peer.Name, PeerNames.NaiveDataflow));
                foreach (var (key, value) in peer.Extras.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    WriteIfNumber(json, key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Four significant digits: enough for figures that vary by several percent from run to run.</summary>
    internal static double Round(double value) =>
        value == 0 || !double.IsFinite(value) ? value : Math.Round(value, Math.Max(0, 3 - (int)Math.Floor(Math.Log10(Math.Abs(value)))));

    private static void WriteIfNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Round(value));
        }
    }
}
