using DataWeaver.Connectors.Files.Output;

namespace DataWeaver.Tests.Crash;

/// <summary>
/// Issue 10, bug 5 across processes: two crash-harness processes on one checkpoint and one output. The second fails at
/// once naming the first (its pid and host); once the first is killed with SIGKILL, a restart takes the lock over and
/// finishes with nothing lost.
/// </summary>
public sealed class LockAcrossProcessesTests
{
    private const int InputLines = 200_000;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Harness_SecondProcessOnTheSameCheckpointAndOutput_FailsAtOnceNamingTheFirstAndARestartAfterSigkillTakesOver()
    {
        using var files = new CrashHarnessFiles(InputLines);
        using var first = files.Start(maxInFlight: 4096, batchSize: 256, pauseEvery: 20);
        Assert.True(await files.WaitForOutputAsync(first, 1, Guard), "the first harness wrote nothing");

        using (var second = files.Start(maxInFlight: 4096, batchSize: 256))
        {
            await second.WaitForExitAsync().WaitAsync(Guard);
            var error = await second.StandardError.ReadToEndAsync();
            Assert.False(first.HasExited, "the first harness ended before the second tried: the test proves nothing");
            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains($"is in use by another run (process {first.Id} on {Environment.MachineName} since ", error, StringComparison.Ordinal);
            Assert.Contains(nameof(FileLockedException), error, StringComparison.Ordinal);
        }

        first.Kill();                                          // SIGKILL: the lock files stay behind, the locks die
        await first.WaitForExitAsync().WaitAsync(Guard);
        Assert.True(File.Exists(FileLock.PathFor(files.Output)), "SIGKILL left the output's lock file");

        using (var restart = files.Start(maxInFlight: 4096, batchSize: 256))
        {
            await restart.WaitForExitAsync().WaitAsync(Guard);
            Assert.True(restart.ExitCode == 0, await restart.StandardError.ReadToEndAsync());
        }

        var (ids, torn) = files.ReadOutput();
        Assert.False(torn);
        Assert.Equal(InputLines, ids.Distinct().Count());
        Assert.Empty(Directory.GetFiles(files.Root, "*.lock*", SearchOption.AllDirectories));
    }
}
