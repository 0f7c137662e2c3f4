using System.Diagnostics;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Crash;

/// <summary>
/// Issue 4's crash Must-show: the crash harness (JsonLinesSource with file checkpoints -> Map -> JsonLinesSink in
/// append mode, continuous commits) runs as a separate process, is killed with SIGKILL at seeded random points
/// five times and restarted each time; after a last clean run nothing is lost and the duplicates stay within
/// the bound below.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int InputLines = 300_000;
    private const int MaxInFlightRecords = 4096;
    private const int BatchSize = 256;
    private const int Kills = 5;
    private const int Seed = 4_2024;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The duplicates one kill may cause: the records in the output whose offset is at or past the committed
    /// checkpoint, which the next run reads and writes again. With continuous commits the engine returns in-flight
    /// credits only once a commit covers the records, so records read and not yet committed never exceed
    /// MaxInFlightRecords: that is the whole window.
    /// </summary>
    private const int DuplicateBoundPerKill = MaxInFlightRecords;

    [Fact]
    public async Task Harness_KilledFiveTimesAndRestarted_LosesNothingAndDuplicatesStayWithinTheInFlightWindow()
    {
        using var files = new CrashHarnessFiles(InputLines);
        var random = new Random(Seed);
        var duplicatesPerKill = new List<int>();
        var clock = Stopwatch.StartNew();
        output.WriteLine($"input {InputLines} lines ({new FileInfo(files.Input).Length} bytes); MaxInFlightRecords {MaxInFlightRecords}, BatchSize {BatchSize}, CommitInterval 0 (continuous); seed {Seed}");

        for (var kill = 1; kill <= Kills; kill++)
        {
            // Kill somewhere in the kill-th sixth of the expected output, once this run has written something.
            var fraction = (kill - 1 + 0.2 + (0.7 * random.NextDouble())) / (Kills + 1);
            var target = Math.Max(files.OutputLength + 1, (long)(fraction * files.ExpectedOutputBytes));
            using var process = files.Start(MaxInFlightRecords, BatchSize, pauseEvery: 100);
            var reached = await files.WaitForOutputAsync(process, target, Guard);
            Assert.True(reached, $"kill {kill}: the harness ended before its output reached {target} bytes: {await DescribeAsync(process)}");
            process.Kill();                                    // SIGKILL on Linux
            await process.WaitForExitAsync().WaitAsync(Guard);

            var outputBytes = files.OutputLength;
            var (ids, tornTail) = files.ReadOutput();
            var (offset, committedLines) = await files.CommittedAsync();
            var duplicates = (int)Math.Max(0, ids[^1] + 1 - committedLines);
            duplicatesPerKill.Add(duplicates);
            output.WriteLine(
                $"kill {kill}: output {ids.Count} lines ({outputBytes} bytes, last id {ids[^1]}{(tornTail ? ", incomplete last line" : string.Empty)}); " +
                $"committed offset {offset} = {committedLines} input lines; duplicates from this kill {duplicates}");
        }

        using (var last = files.Start(MaxInFlightRecords, BatchSize))
        {
            await last.WaitForExitAsync().WaitAsync(Guard);
            Assert.True(last.ExitCode == 0, $"the final run failed: {await DescribeAsync(last)}");
        }

        var (finalIds, finalTorn) = files.ReadOutput();
        var counts = new int[InputLines];
        foreach (var id in finalIds)
        {
            counts[id]++;
        }

        var lost = counts.Count(c => c == 0);
        var duplicated = finalIds.Count - InputLines + lost;
        output.WriteLine(
            $"final: output {finalIds.Count} lines for {InputLines} input lines: lost {lost}, duplicates {duplicated} " +
            $"(per kill {string.Join(", ", duplicatesPerKill)}; max {duplicatesPerKill.Max()}, bound per kill {DuplicateBoundPerKill}); {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.False(finalTorn, "the final output ends with an incomplete line");
        Assert.Equal(0, lost);
        Assert.Equal(duplicatesPerKill.Sum(), duplicated);
        Assert.All(duplicatesPerKill, d => Assert.InRange(d, 0, DuplicateBoundPerKill));
        Assert.Equal(new FileInfo(files.Input).Length, (await files.CommittedAsync()).Offset);
        Assert.Empty(Directory.GetFiles(files.Root, "*.lock*", SearchOption.AllDirectories)); // each restart took over the killed run's locks
    }

    private static async Task<string> DescribeAsync(Process process)
    {
        if (!process.HasExited)
        {
            return "still running";
        }

        return $"exit code {process.ExitCode}; {await process.StandardOutput.ReadToEndAsync()} {await process.StandardError.ReadToEndAsync()}";
    }
}
