using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace DataWeaver.Kafka.Tests.Support;

/// <summary>A DataWeaver.Kafka.Harness process (one member of a consumer group): started, watched, signalled, killed.</summary>
public sealed class HarnessProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();
    private volatile string assignment = string.Empty;

    private HarnessProcess(Process process, string name)
    {
        this.process = process;
        Name = name;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The member's name in messages.</summary>
    public string Name { get; }

    /// <summary>The partitions the member last reported owning ("0,3,5"; empty when none).</summary>
    public string Assignment => assignment;

    /// <summary>The last partitions the member reported owning before it owned none (its partitions when it was stopped).</summary>
    public string LastPartitions { get; private set; } = string.Empty;

    /// <summary>Everything the process printed.</summary>
    public string Output => string.Join(Environment.NewLine, lines);

    /// <summary>Starts a member.</summary>
    /// <returns>The running member.</returns>
    public static HarnessProcess Start(
        string name, string bootstrap, string input, string output, string group, int maxInFlight, long pauseEvery, KafkaGroupProtocol protocol = KafkaGroupProtocol.Classic)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "DataWeaver.Kafka.Harness.dll"), bootstrap, input, output, group,
            maxInFlight.ToString(CultureInfo.InvariantCulture), pauseEvery.ToString(CultureInfo.InvariantCulture), protocol.ToString(),
        })
        {
            info.ArgumentList.Add(argument);
        }

        return new HarnessProcess(Process.Start(info)!, name);
    }

    /// <summary>Waits until the member owns at least one partition.</summary>
    /// <returns>True once it does; false when <paramref name="timeout"/> passed or the process ended.</returns>
    public async Task<bool> WaitForPartitionsAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (assignment.Length == 0 && watch.Elapsed < timeout && !process.HasExited)
        {
            await Task.Delay(50);
        }

        return assignment.Length > 0;
    }

    /// <summary>Sends SIGTERM (a graceful drain) and waits for the exit code.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL and waits until it is gone.</summary>
    /// <returns>A task that completes once the process is gone.</returns>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <inheritdoc />
    /// <summary>
    /// Gets the partitions this member gave up without committing all it read from them: its revocation commit was
    /// refused ("commit failed") or something was still in flight after the drain timeout ("still in flight in [...]").
    /// Read from the REVOKE lines the harness prints; their next owner may re-read them from the last commit.
    /// </summary>
    /// <returns>The partitions.</returns>
    public HashSet<int> PartitionsGivenUpUncommitted()
    {
        var partitions = new HashSet<int>();
        foreach (var line in lines.Where(l => l.Contains(" REVOKE: ", StringComparison.Ordinal) && l.Contains("revoked from group", StringComparison.Ordinal)))
        {
            if (line.Contains("commit failed", StringComparison.Ordinal))
            {
                partitions.UnionWith(Partitions(line, "partitions ["));
            }

            if (line.Contains("still in flight in [", StringComparison.Ordinal))
            {
                partitions.UnionWith(Partitions(line, "still in flight in ["));
            }
        }

        return partitions;

        static IEnumerable<int> Partitions(string line, string prefix)
        {
            var start = line.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length;
            var list = line[start..line.IndexOf(']', start)];
            return list.Length == 0 ? [] : list.Split(',').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        if (line.StartsWith("assignment: ", StringComparison.Ordinal))
        {
            assignment = line["assignment: ".Length..];
            if (assignment.Length > 0)
            {
                LastPartitions = assignment;
            }
        }
    }
}
