using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DataWeaver.Testing.Sequences;

namespace DataWeaver.Testing.Crash;

/// <summary>
/// At least once across a crash, proved on a real process: starts a pipeline in a separate process, kills it with
/// SIGKILL at seeded random points of its output <see cref="ProcessCrashOptions.Kills"/> times, restarting it each
/// time, lets a last run end by itself, and checks the sequence ids of the whole output.
/// </summary>
/// <remarks>
/// The process is yours: it runs your connector in a pipeline that commits its positions where a restart finds them
/// and writes what it reads somewhere you can read back (a file, a topic). It MUST exit with code 0 once it has read
/// everything (a finite input), so the last run ends.
/// </remarks>
public sealed class ProcessCrashScenario
{
    private readonly Func<int, ProcessStartInfo> _start;
    private readonly Func<CancellationToken, ValueTask<IReadOnlyList<long>>> _readOutput;
    private readonly Func<CancellationToken, ValueTask<long>> _countOutput;

    /// <summary>Creates the scenario over an output that is cheap to read whole (a file).</summary>
    /// <param name="recordCount">How many records the input has: sequence ids 0 to <c>recordCount - 1</c>.</param>
    /// <param name="start">Describes the process of a run (0, 1, ...); its standard output and error are captured for failure messages.</param>
    /// <param name="readOutput">Reads the sequence ids of the whole output so far, in order (skip an incomplete last record).</param>
    /// <param name="options">Kills, seed and guard; <see langword="null"/> uses the defaults.</param>
    public ProcessCrashScenario(int recordCount, Func<int, ProcessStartInfo> start, Func<IReadOnlyList<long>> readOutput, ProcessCrashOptions? options = null)
        : this(recordCount, start, _ => new(readOutput()), _ => new(readOutput().Count), options)
    {
        ArgumentNullException.ThrowIfNull(readOutput);
    }

    /// <summary>Creates the scenario over an output that is costly to read whole (a topic): a cheap count is polled, the ids are read at the end.</summary>
    /// <param name="recordCount">How many records the input has: sequence ids 0 to <c>recordCount - 1</c>.</param>
    /// <param name="start">Describes the process of a run (0, 1, ...); its standard output and error are captured for failure messages.</param>
    /// <param name="readOutput">Reads the sequence ids of the whole output so far, in order.</param>
    /// <param name="countOutput">Counts the records of the output so far (duplicates included), e.g. from a topic's watermarks.</param>
    /// <param name="options">Kills, seed and guard; <see langword="null"/> uses the defaults.</param>
    public ProcessCrashScenario(
        int recordCount,
        Func<int, ProcessStartInfo> start,
        Func<CancellationToken, ValueTask<IReadOnlyList<long>>> readOutput,
        Func<CancellationToken, ValueTask<long>> countOutput,
        ProcessCrashOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recordCount);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(readOutput);
        ArgumentNullException.ThrowIfNull(countOutput);
        RecordCount = recordCount;
        _start = start;
        _readOutput = readOutput;
        _countOutput = countOutput;
        Options = options ?? new ProcessCrashOptions();
        Options.Validate();
    }

    /// <summary>Gets how many records the input has.</summary>
    public int RecordCount { get; }

    /// <summary>Gets the options.</summary>
    public ProcessCrashOptions Options { get; }

    /// <summary>Runs the kills and the last run, and reports the output's sequence ids.</summary>
    /// <param name="cancellationToken">Aborts the scenario (the running process is killed).</param>
    /// <returns>The report: what was lost and duplicated, and the output count at each kill.</returns>
    /// <exception cref="InvalidOperationException">A run ended before its kill point, or the last run failed or hung.</exception>
    public async Task<ProcessCrashReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var random = new Random(Options.Seed);
        var atKill = new List<long>();
        for (var kill = 1; kill <= Options.Kills; kill++)
        {
            var fraction = (kill - 1 + 0.2 + (0.7 * random.NextDouble())) / (Options.Kills + 1);
            var target = Math.Max(await _countOutput(cancellationToken).ConfigureAwait(false) + 1, (long)(fraction * RecordCount));
            using var process = new RunningProcess(_start(kill - 1));
            try
            {
                var reached = await WaitAsync(process, async () => await _countOutput(cancellationToken).ConfigureAwait(false) >= target, cancellationToken).ConfigureAwait(false);
                if (!reached)
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Run {kill - 1} ended (exit code {process.ExitCode}) before its output reached {target} records: {process.Output}"));
                }
            }
            finally
            {
                await process.KillAsync().ConfigureAwait(false); // SIGKILL on Linux
            }

            atKill.Add(await _countOutput(cancellationToken).ConfigureAwait(false));
        }

        using (var last = new RunningProcess(_start(Options.Kills)))
        {
            if (Options.StopLastRunWhenComplete)
            {
                long checkedAt = -1;
                var complete = await WaitAsync(
                    last,
                    async () =>
                    {
                        var count = await _countOutput(cancellationToken).ConfigureAwait(false);
                        if (count < RecordCount || count == checkedAt)
                        {
                            return false;
                        }

                        checkedAt = count;
                        return (await _readOutput(cancellationToken).ConfigureAwait(false)).Distinct().Count() >= RecordCount;
                    },
                    cancellationToken).ConfigureAwait(false);
                if (complete)
                {
                    await last.TerminateAsync().ConfigureAwait(false);
                }
            }

            using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            guard.CancelAfter(Options.Guard);
            try
            {
                await last.Process.WaitForExitAsync(guard.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await last.KillAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"The last run did not end within {Options.Guard}: {last.Output}");
            }

            if (last.ExitCode != 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The last run failed with exit code {last.ExitCode}: {last.Output}"));
            }
        }

        var ids = await _readOutput(cancellationToken).ConfigureAwait(false);
        return new ProcessCrashReport(SequenceChecker.Check(ids, RecordCount), atKill);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true), the process exits (false) or the guard passes (throws).</summary>
    private async Task<bool> WaitAsync(RunningProcess process, Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition().ConfigureAwait(false))
        {
            if (process.Process.HasExited)
            {
                return await condition().ConfigureAwait(false);
            }

            if (TimeProvider.System.GetElapsedTime(started) > Options.Guard)
            {
                throw new InvalidOperationException($"The output did not reach its target within {Options.Guard}: {process.Output}");
            }

            await Task.Delay(Options.PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>A started run: its output captured (so a chatty process never blocks on a full pipe), killed or signalled.</summary>
    private sealed class RunningProcess : IDisposable
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public RunningProcess(ProcessStartInfo info)
        {
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.UseShellExecute = false;
            Process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{info.FileName}'.");
            Process.OutputDataReceived += (_, e) => Keep(e.Data);
            Process.ErrorDataReceived += (_, e) => Keep(e.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public int ExitCode => Process.HasExited ? Process.ExitCode : -1;

        public string Output => string.Join(" | ", _lines.TakeLast(40));

        public async Task KillAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            await Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        public async Task TerminateAsync()
        {
            using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        public void Dispose() => Process.Dispose();

        private void Keep(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
            }
        }
    }
}

/// <summary>What a <see cref="ProcessCrashScenario"/> found.</summary>
/// <param name="Sequences">The final output's sequence ids checked against the input: lost, duplicated, out of order.</param>
/// <param name="OutputAtKill">How many records the output held right after each kill.</param>
public sealed record ProcessCrashReport(SequenceReport Sequences, IReadOnlyList<long> OutputAtKill)
{
    /// <inheritdoc />
    public override string ToString() => $"{Sequences}; output at each kill: {string.Join(", ", OutputAtKill)}";
}
