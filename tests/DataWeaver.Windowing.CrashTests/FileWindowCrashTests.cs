using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace DataWeaver.Windowing.CrashTests;

/// <summary>
/// Issue 14's crash Must-show from a file: a definition file (checkpointed JSON-lines file source -> a 1-second tumbling
/// window by event time counting per key -> a JSON-lines file sink appending, continuous commits) runs in its own
/// process (tests/DataWeaver.FileCrashHarness), is killed with SIGKILL three times while windows are open, and restarted
/// each time; a final run reads to the end of the input. The results, de-duplicated by (key, window start) with the first
/// result winning, equal those of a run that was never killed, and both equal a brute-force count: no window missing,
/// every count exact.
/// </summary>
[Collection(WindowCrashCollection.Name)]
public sealed class FileWindowCrashTests(ITestOutputHelper output)
{
    private const int Records = 100_000;
    private const int Kills = 3;
    private const int PaceEvery = 8; // the pace transform sleeps 1 ms every 8 records: a kill lands while the input is read
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    [Fact]
    public Task WindowedCount_KilledThreeTimesMidWindowAndRestarted_EqualsTheRunNeverKilled() => RunAsync(checkpointState: false);

    /// <summary>
    /// The window's state checkpointed with the source's positions (<c>checkpointState: true</c>): after three kills the
    /// last result per window (an upserting sink) equals the uninterrupted run's and the reference, no partial re-emission.
    /// </summary>
    [Fact]
    public Task WindowedCountWithCheckpointedState_KilledThreeTimesMidWindowAndRestarted_LastResultPerWindowEqualsTheReference() =>
        RunAsync(checkpointState: true);

    private async Task RunAsync(bool checkpointState)
    {
        var events = WindowedInput.Create(Records, seed: 14);
        var reference = WindowedInput.Reference(events);
        var clean = Directory.CreateTempSubdirectory("dw-window-file-clean-").FullName;
        var crashed = Directory.CreateTempSubdirectory("dw-window-file-crash-").FullName;
        try
        {
            Prepare(clean, events, checkpointState);
            Prepare(crashed, events, checkpointState);

            // The run never killed.
            using (var run = Start(clean, pace: 0))
            {
                var code = await run.WaitForExitAsync(Guard);
                Assert.True(code == 0, $"the uninterrupted run failed:\n{run.Output}");
            }

            var uninterrupted = Read(clean);
            Assert.Equal(uninterrupted.First.Count, uninterrupted.Results); // never killed: each window once

            // Killed three times mid-window, restarted each time, then run to the end of the input.
            var random = new Random(7);
            var expectedBytes = new FileInfo(Path.Combine(clean, "out.jsonl")).Length;
            var runs = 0;
            var kills = 0;
            var clock = Stopwatch.StartNew();
            while (kills < Kills)
            {
                Assert.True(clock.Elapsed < Guard, "the kills took too long");
                var before = OutputBytes(crashed);
                var target = before + 1 + (long)(random.NextDouble() * expectedBytes / (Kills + 2));
                runs++;
                using var run = Start(crashed, PaceEvery);
                await WindowedInput.WaitUntilAsync(() => OutputBytes(crashed) >= target || run.HasExited, Guard, () => $"{target} output bytes (run {runs})");
                Assert.False(run.HasExited, $"run {runs} read the whole input before kill {kills + 1}:\n{run.Output}");
                await run.KillAsync(); // SIGKILL: windows are open (the input is still being read), some results written
                kills++;
                output.WriteLine($"run {runs}: killed at {OutputBytes(crashed)} of about {expectedBytes} output bytes");
            }

            using (var last = Start(crashed, pace: 0))
            {
                var code = await last.WaitForExitAsync(Guard);
                Assert.True(code == 0, $"the final run failed:\n{last.Output}");
            }

            var restarted = Read(crashed);
            if (checkpointState)
            {
                WindowResults.AssertLastWins(output, Records, reference, uninterrupted, restarted, kills, runs + 1);
            }
            else
            {
                WindowResults.AssertSame(output, Records, reference, uninterrupted, restarted, kills, runs + 1);
            }
        }
        finally
        {
            Directory.Delete(clean, recursive: true);
            Directory.Delete(crashed, recursive: true);
        }
    }

    private static void Prepare(string root, WindowedInput.Event[] events, bool checkpointState)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{e.Id},\"k\":\"{e.Key}\",\"ts\":{e.AtMs}}}\n");
        }

        File.WriteAllText(Path.Combine(root, "in.jsonl"), text.ToString());
        File.WriteAllText(Path.Combine(root, "windowed.yaml"), $$"""
            version: 1
            pipelines:
              - name: windowed
                source: { type: file, format: json, settings: { path: in.jsonl, checkpointDirectory: cp } }
                transforms:
                  - code: { name: pace }
                  - window: { size: {{WindowedInput.WindowMs}}ms, time: event, timestamp: ts, maxOutOfOrderness: {{WindowedInput.OutOfOrdernessMs}}ms, key: k, checkpointState: {{(checkpointState ? "true" : "false")}}, snapshotInterval: 0s }
                batch: { size: 256 }
                commitInterval: continuous
                sinks: [{ type: file, format: json, settings: { path: out.jsonl, append: true } }]
            """);
    }

    private static ChildProcess Start(string root, int pace) =>
        ChildProcess.Start("DataWeaver.FileCrashHarness.dll", Path.Combine(root, "windowed.yaml"), "pace=" + pace.ToString(CultureInfo.InvariantCulture));

    private static long OutputBytes(string root) => File.Exists(Path.Combine(root, "out.jsonl")) ? new FileInfo(Path.Combine(root, "out.jsonl")).Length : 0;

    /// <summary>Reads the output in the order written; a torn line would be a corruption (the sink cuts a killed run's torn tail).</summary>
    private static WindowResults Read(string root)
    {
        var results = new WindowResults();
        var text = File.ReadAllText(Path.Combine(root, "out.jsonl"));
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var result = document.RootElement;
            Assert.False(result.TryGetProperty("update", out _), "no late updates: nothing is late");
            var start = DateTimeOffset.Parse(result.GetProperty("start").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            results.Add(result.GetProperty("key").GetString()!, start, result.GetProperty("count").GetInt64());
        }

        return results;
    }
}

/// <summary>The crash tests run one at a time: each keeps a process (and a mock cluster) busy.</summary>
[CollectionDefinition(Name)]
public sealed class WindowCrashCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "window-crash";
}
