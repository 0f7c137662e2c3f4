using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataWeaver.Testing.Crash;

namespace DataWeaver.Brokers.Harness;

/// <summary>
/// The kill scenario of the RabbitMQ, MQTT and NATS source contracts: this harness (broker -> JSON-lines file) as the process,
/// <see cref="Records"/> messages <c>{"id":N}</c> that the test published beforehand, and the output file's ids as the result.
/// </summary>
/// <remarks>
/// The harness pauses 1 ms after every record, so a pass over the input takes about 4 s (more under load) and each kill lands
/// mid-stream: a run that got through the whole input before its kill point would leave the next run nothing to reach (see the
/// Kafka contract's pacing). The input is endless (a broker), so the last run is stopped with SIGTERM once the output holds
/// every id, and must drain (exit 0).
/// </remarks>
public static class BrokerCrash
{
    /// <summary>How many messages the test publishes: ids 0 to <c>Records - 1</c>.</summary>
    public const int Records = 4_000;

    /// <summary>The harness pipeline's in-flight bound (and the sources' prefetch, receive maximum, max_ack_pending): the most duplicates one kill may cause.</summary>
    public const int MaxInFlight = 256;

    /// <summary>How many times the harness is killed.</summary>
    public const int Kills = 3;

    /// <summary>Describes the scenario.</summary>
    /// <param name="directory">Where the output file goes (the test's context folder).</param>
    /// <param name="kind"><c>rabbitmq</c>, <c>mqtt</c> or <c>nats</c>.</param>
    /// <param name="settings">The broker settings, <c>key=value</c> (see Program.cs).</param>
    /// <param name="log">Receives each new output count (and its duplicates) with the time since the scenario was created, or <see langword="null"/>.</param>
    /// <returns>The scenario.</returns>
    public static ProcessCrashScenario Scenario(string directory, string kind, IEnumerable<string> settings, Action<string>? log = null)
    {
        var output = Path.Combine(directory, kind + "-crash-output.jsonl");
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "DataWeaver.Brokers.Harness.dll"), kind, output,
            MaxInFlight.ToString(CultureInfo.InvariantCulture), "1", .. settings,
        ];
        var watch = Stopwatch.StartNew();
        var last = -1;
        return new ProcessCrashScenario(
            Records,
            _ => new ProcessStartInfo("dotnet", arguments),
            () =>
            {
                var ids = ReadIds(output);
                if (log is not null && ids.Count != Interlocked.Exchange(ref last, ids.Count))
                {
                    // Every change, with the time: a failed run shows where each run's output stood and how many lines repeat.
                    log(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F2} s: output {ids.Count}, duplicates {ids.Count - ids.Distinct().Count()}"));
                }

                return ids;
            },
            new ProcessCrashOptions { Kills = Kills, MaxDuplicatesPerKill = MaxInFlight, StopLastRunWhenComplete = true, PollInterval = TimeSpan.FromMilliseconds(20) });
    }

    /// <summary>The message bodies the test publishes: <c>{"id":N}</c> for N from 0 to <see cref="Records"/> - 1.</summary>
    /// <returns>The bodies, in order.</returns>
    public static IEnumerable<byte[]> Input() =>
        Enumerable.Range(0, Records).Select(i => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i}}}")));

    /// <summary>The ids of the output file's complete lines (a line cut by a kill is left out).</summary>
    /// <param name="path">The output file.</param>
    /// <returns>The ids, in file order.</returns>
    public static IReadOnlyList<long> ReadIds(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Id)];
    }

    private static long Id(string line)
    {
        const string Prefix = "{\"id\":";
        return line.StartsWith(Prefix, StringComparison.Ordinal) && line.EndsWith('}')
            ? long.Parse(line.AsSpan(Prefix.Length, line.Length - Prefix.Length - 1), CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"Not a harness output line: '{line}'.");
    }
}
