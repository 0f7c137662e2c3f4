using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataWeaver.Testing.Crash;
using Xunit;

namespace DataWeaver.Brokers.Harness;

/// <summary>
/// The kill scenarios of the RabbitMQ, MQTT and NATS sources: this harness (broker -> JSON-lines file) as the process,
/// <see cref="BrokerCrashOptions.Records"/> messages <c>{"id":N}</c> that the test published beforehand, and the ids of the
/// output file as the result.
/// </summary>
/// <remarks>
/// The harness pauses 1 ms every <see cref="BrokerCrashOptions.PauseEvery"/> records, so that each kill lands mid-stream: a
/// run that got through the whole input before its kill point would leave the next run nothing to reach (see the Kafka
/// contract's pacing). The input is endless (a broker), so the last run is stopped with SIGTERM once the output holds every
/// id, and must drain (exit 0).
/// </remarks>
public static class BrokerCrash
{
    /// <summary>Describes the scenario.</summary>
    /// <param name="directory">Where the output file goes (the test's context folder).</param>
    /// <param name="kind"><c>rabbitmq</c>, <c>mqtt</c> or <c>nats</c>.</param>
    /// <param name="settings">The broker settings, <c>key=value</c> (see Program.cs).</param>
    /// <param name="options">Size, pacing, kills and hooks; <see langword="null"/> uses the defaults.</param>
    /// <returns>The scenario.</returns>
    public static ProcessCrashScenario Scenario(string directory, string kind, IEnumerable<string> settings, BrokerCrashOptions? options = null)
    {
        options ??= new BrokerCrashOptions();
        var output = Path.Combine(directory, kind + "-crash-output.jsonl");
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "DataWeaver.Brokers.Harness.dll"), kind, output,
            options.MaxInFlight.ToString(CultureInfo.InvariantCulture), options.PauseEvery.ToString(CultureInfo.InvariantCulture), .. settings,
        ];
        var watch = Stopwatch.StartNew();
        long last = -1;
        var logged = TimeSpan.Zero;
        return new ProcessCrashScenario(
            options.Records,
            _ => new ProcessStartInfo("dotnet", arguments),
            _ =>
            {
                var ids = ReadIds(output);
                var distinct = ids.Distinct().Count();
                options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F2} s: output {ids.Count}: {distinct} distinct, {ids.Count - distinct} duplicates"));
                return new(ids);
            },
            async cancellationToken =>
            {
                var count = CountLines(output);
                if (options.Log is { } log && count != Interlocked.Exchange(ref last, count) && (watch.Elapsed - logged > TimeSpan.FromMilliseconds(200) || count >= options.Records))
                {
                    // A failed run shows where each run's output stood.
                    logged = watch.Elapsed;
                    log(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F2} s: output {count}"));
                }

                if (options.OnOutput is { } hook)
                {
                    await hook(count, cancellationToken);
                }

                return count;
            },
            new ProcessCrashOptions
            {
                Kills = options.Kills,
                MaxDuplicatesPerKill = options.MaxInFlight,
                StopLastRunWhenComplete = true,
                PollInterval = TimeSpan.FromMilliseconds(20),
                Guard = TimeSpan.FromMinutes(3),
            });
    }

    /// <summary>
    /// Runs a scenario, logs its report, and asserts at least once (nothing lost, and at most the in-flight bound duplicated
    /// per kill and per broker restart) and in order (no id first seen after a larger one).
    /// </summary>
    /// <param name="scenario">The scenario (<see cref="Scenario"/>).</param>
    /// <param name="options">Its options.</param>
    /// <param name="restarts">How many times the broker is restarted during it (each may duplicate what was in flight).</param>
    /// <returns>The report.</returns>
    public static async Task<ProcessCrashReport> RunAsync(ProcessCrashScenario scenario, BrokerCrashOptions options, int restarts)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        var report = await scenario.RunAsync();
        options.Log?.Invoke("report: " + report);
        report.Sequences.AssertAtLeastOnce((options.Kills + restarts) * (long)options.MaxInFlight);
        // The queue, topic or stream order the broker promises: a redelivery after a kill or a restart starts over at the
        // oldest unacknowledged message, so every first sighting of an id comes after every smaller id.
        Assert.True(report.Sequences.OutOfOrder == 0, "Records out of the broker's order: " + report.Sequences);
        return report;
    }

    /// <summary>
    /// Runs a scenario whose broker is restarted once, when the output first holds 70 % of the records (in the last run when
    /// the kills land as planned: before 63 %), and asserts at least once (<see cref="RunAsync"/>) and that the restart happened.
    /// </summary>
    /// <param name="directory">Where the output file goes.</param>
    /// <param name="kind"><c>rabbitmq</c>, <c>mqtt</c> or <c>nats</c>.</param>
    /// <param name="settings">The broker settings, <c>key=value</c>.</param>
    /// <param name="options">Size, pacing and kills.</param>
    /// <param name="restart">Stops and starts the broker (the scenario's polling waits for it; the harness runs on).</param>
    /// <returns>The harness's summary line of each run that ended by itself (the last one): its state and reconnections.</returns>
    public static async Task<IReadOnlyList<string>> RunWithBrokerRestartAsync(
        string directory, string kind, IEnumerable<string> settings, BrokerCrashOptions options, Func<Task> restart)
    {
        ArgumentNullException.ThrowIfNull(options);
        var restarted = false;
        var hook = Once(options.Records * 7L / 10, async () =>
        {
            restarted = true;
            options.Log?.Invoke("restarting the broker");
            await restart();
            options.Log?.Invoke("broker restarted");
        });
        await RunAsync(Scenario(directory, kind, settings, options with { OnOutput = hook }), options, restarts: 1);
        Assert.True(restarted, "The broker was never restarted.");
        var runs = await File.ReadAllLinesAsync(Path.Combine(directory, kind + "-crash-output.jsonl.runs"));
        options.Log?.Invoke(string.Join(Environment.NewLine, runs));
        return runs;
    }

    /// <summary>Returns a hook for <see cref="BrokerCrashOptions.OnOutput"/> that runs <paramref name="action"/> once, when the output first holds <paramref name="at"/> lines.</summary>
    /// <param name="at">The output count to act at.</param>
    /// <param name="action">What to do (restart the broker); the scenario's polling waits for it.</param>
    /// <returns>The hook.</returns>
    public static Func<long, CancellationToken, ValueTask> Once(long at, Func<Task> action)
    {
        var done = 0;
        return async (count, _) =>
        {
            if (count >= at && Interlocked.Exchange(ref done, 1) == 0)
            {
                await action();
            }
        };
    }

    /// <summary>The message bodies the test publishes: <c>{"id":N}</c> for N from 0 to <paramref name="records"/> - 1.</summary>
    /// <param name="records">How many.</param>
    /// <returns>The bodies, in order.</returns>
    public static IEnumerable<byte[]> Input(int records) =>
        Enumerable.Range(0, records).Select(i => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i}}}")));

    /// <summary>The ids of the output file's complete lines (a line cut by a kill is left out).</summary>
    /// <param name="path">The output file.</param>
    /// <returns>The ids, in file order.</returns>
    public static IReadOnlyList<long> ReadIds(string path)
    {
        var text = Encoding.UTF8.GetString(ReadFile(path));
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Id)];
    }

    private static long CountLines(string path) => ReadFile(path).AsSpan().Count((byte)'\n');

    private static byte[] ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static long Id(string line)
    {
        const string Prefix = "{\"id\":";
        return line.StartsWith(Prefix, StringComparison.Ordinal) && line.EndsWith('}')
            ? long.Parse(line.AsSpan(Prefix.Length, line.Length - Prefix.Length - 1), CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"Not a harness output line: '{line}'.");
    }
}

/// <summary>The size, pacing and kills of a <see cref="BrokerCrash"/> scenario.</summary>
public sealed record BrokerCrashOptions
{
    /// <summary>
    /// The broker-restart tests' default run: 8,000 messages (about 8 s at the pace), two kills. The restart needs room: it
    /// takes effect a second or more after it is asked for (rabbitmqctl starts a VM), and must land before the input is read.
    /// </summary>
    /// <param name="log">Where progress lines go.</param>
    /// <returns>The options.</returns>
    public static BrokerCrashOptions Restart(Action<string> log) => new() { Records = 8_000, Kills = 2, Log = log };

    /// <summary>The issue's figure (Soak): 200,000 messages, 1,000 in flight, a pause every 50 records, two kills.</summary>
    /// <param name="log">Where progress lines go.</param>
    /// <returns>The options.</returns>
    public static BrokerCrashOptions Soak(Action<string> log) => new() { Records = 200_000, MaxInFlight = 1_000, PauseEvery = 50, Kills = 2, Log = log };

    /// <summary>Gets how many messages the test published: ids 0 to <c>Records - 1</c>.</summary>
    /// <value>The default is 4,000.</value>
    public int Records { get; init; } = 4_000;

    /// <summary>Gets the harness pipeline's in-flight bound (and the sources' prefetch, receive maximum, max_ack_pending): the most duplicates one kill may cause.</summary>
    /// <value>The default is 256.</value>
    public int MaxInFlight { get; init; } = 256;

    /// <summary>Gets how often the harness pauses for 1 ms: after every this many records.</summary>
    /// <value>The default is 1 (a pass over 4,000 records takes about 4 s, more under load).</value>
    public int PauseEvery { get; init; } = 1;

    /// <summary>Gets how many times the harness is killed.</summary>
    /// <value>The default is 3.</value>
    public int Kills { get; init; } = 3;

    /// <summary>Gets what runs with each output count the scenario polls (<see cref="BrokerCrash.Once"/>: a broker restart mid-stream).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Func<long, CancellationToken, ValueTask>? OnOutput { get; init; }

    /// <summary>Gets where progress lines go (the test's output).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Action<string>? Log { get; init; }
}
