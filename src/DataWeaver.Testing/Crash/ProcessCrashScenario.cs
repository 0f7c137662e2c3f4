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
    private readonly Func<IReadOnlyList<long>> _readOutput;

    /// <summary>Creates the scenario.</summary>
    /// <param name="recordCount">How many records the input has: sequence ids 0 to <c>recordCount - 1</c>.</param>
    /// <param name="start">Describes the process of a run (0, 1, ...); standard output and error are redirected for you.</param>
    /// <param name="readOutput">Reads the sequence ids of the whole output so far, in order (skip an incomplete last record).</param>
    /// <param name="options">Kills, seed and guard; <see langword="null"/> uses the defaults.</param>
    public ProcessCrashScenario(int recordCount, Func<int, ProcessStartInfo> start, Func<IReadOnlyList<long>> readOutput, ProcessCrashOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recordCount);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(readOutput);
        RecordCount = recordCount;
        _start = start;
        _readOutput = readOutput;
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
        var atKill = new List<int>();
        for (var kill = 1; kill <= Options.Kills; kill++)
        {
            var fraction = (kill - 1 + 0.2 + (0.7 * random.NextDouble())) / (Options.Kills + 1);
            var target = Math.Max(_readOutput().Count + 1, (int)(fraction * RecordCount));
            using var process = Start(kill - 1);
            try
            {
                var started = TimeProvider.System.GetTimestamp();
                while (_readOutput().Count < target)
                {
                    if (process.HasExited)
                    {
                        var said = await DescribeAsync(process).ConfigureAwait(false);
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Run {kill - 1} ended (exit code {process.ExitCode}) before its output reached {target} records: {said}"));
                    }

                    if (TimeProvider.System.GetElapsedTime(started) > Options.Guard)
                    {
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Run {kill - 1}'s output did not reach {target} records within {Options.Guard}."));
                    }

                    await Task.Delay(Options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true); // SIGKILL on Linux
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            atKill.Add(_readOutput().Count);
        }

        using (var last = Start(Options.Kills))
        {
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            guard.CancelAfter(Options.Guard);
            try
            {
                await last.WaitForExitAsync(guard.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                last.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"The last run did not end within {Options.Guard}.");
            }

            if (last.ExitCode != 0)
            {
                var said = await DescribeAsync(last).ConfigureAwait(false);
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The last run failed with exit code {last.ExitCode}: {said}"));
            }
        }

        var ids = _readOutput();
        return new ProcessCrashReport(SequenceChecker.Check(ids, RecordCount), atKill);
    }

    private Process Start(int run)
    {
        var info = _start(run);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{info.FileName}'.");
    }

    private static async Task<string> DescribeAsync(Process process) =>
        (await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false)) + " " + (await process.StandardError.ReadToEndAsync().ConfigureAwait(false));
}

/// <summary>What a <see cref="ProcessCrashScenario"/> found.</summary>
/// <param name="Sequences">The final output's sequence ids checked against the input: lost, duplicated, out of order.</param>
/// <param name="OutputAtKill">How many records the output held right after each kill.</param>
public sealed record ProcessCrashReport(SequenceReport Sequences, IReadOnlyList<int> OutputAtKill)
{
    /// <inheritdoc />
    public override string ToString() => $"{Sequences}; output at each kill: {string.Join(", ", OutputAtKill)}";
}
