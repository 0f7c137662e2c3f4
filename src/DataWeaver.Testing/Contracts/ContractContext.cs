using System.Globalization;
using DataWeaver.Checkpoints;
using DataWeaver.Lifecycle;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// What one contract test gives the connector it creates: how many records, a folder and a checkpoint store that live
/// as long as the test (so a restarted connector finds what the previous one committed), a unique name, a canary secret
/// and a log. One context per test; <see cref="Run"/> counts the connectors created in it.
/// </summary>
public sealed class ContractContext : IDisposable
{
    private readonly List<string> _log = [];
    private readonly Dictionary<int, long> _committed = [];
    private int _run = -1;

    /// <summary>Creates a context.</summary>
    /// <param name="recordCount">How many sequence-numbered records the test uses.</param>
    /// <param name="testName">The test's name, part of <see cref="UniqueName"/>.</param>
    public ContractContext(int recordCount, string testName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recordCount);
        ArgumentException.ThrowIfNullOrEmpty(testName);
        RecordCount = recordCount;
        var id = Guid.NewGuid().ToString("N")[..12];
        UniqueName = $"dw-{Shorten(testName)}-{id}";
        Directory = Path.Combine(Path.GetTempPath(), UniqueName);
        System.IO.Directory.CreateDirectory(Directory);
        Secret = "dw-canary-" + Guid.NewGuid().ToString("N");
        Checkpoints = new RecordingCheckpointStore(new InMemoryCheckpointStore());
    }

    /// <summary>Gets how many records the test uses: sequence ids 0 to <c>RecordCount - 1</c>.</summary>
    public int RecordCount { get; }

    /// <summary>Gets how many connectors this test created before the current one: 0 for the first, 1 after one restart, and so on.</summary>
    public int Run => Volatile.Read(ref _run);

    /// <summary>Gets a name unique to this test (<c>dw-{test}-{id}</c>) for topics, groups, queues and files.</summary>
    public string UniqueName { get; }

    /// <summary>Gets a folder that exists for the test and is deleted afterwards. Every file in it is scanned for <see cref="Secret"/>.</summary>
    public string Directory { get; }

    /// <summary>
    /// Gets a checkpoint store that lives as long as the test, for connectors that keep their positions in one. Every
    /// key and position saved is scanned for <see cref="Secret"/>.
    /// </summary>
    public RecordingCheckpointStore Checkpoints { get; }

    /// <summary>
    /// Gets the canary secret: put it wherever the connector takes credentials or secret settings (a password, a token,
    /// a secret in a connection string) and declare it secret the way your connector is told; the secrets test fails
    /// when it shows up in any output, log, dead letter, checkpoint or error.
    /// </summary>
    public string Secret { get; }

    /// <summary>
    /// Gets the last resume position the engine committed for each partition in this test, as the runs' committed
    /// events reported them. For sources that take their start from outside (a start offset, a count to skip) rather
    /// than from a store of their own: a restart resumes from here.
    /// </summary>
    public IReadOnlyDictionary<int, long> CommittedOffsets
    {
        get
        {
            lock (_committed)
            {
                return new Dictionary<int, long>(_committed);
            }
        }
    }

    /// <summary>Gets the lines written to <see cref="Log"/> so far.</summary>
    public IReadOnlyList<string> LogLines
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Adds a line to the test's log: wire the connector's logging here so the secrets test scans it. Thread-safe.</summary>
    /// <param name="line">The line.</param>
    public void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    /// <summary>Deletes <see cref="Directory"/>.</summary>
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still hold a file; the folder is under the temporary path.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: best effort.
        }
    }

    internal int NextRun() => Interlocked.Increment(ref _run);

    internal void OnCommitted(object? sender, Diagnostics.PipelineCommittedEventArgs committed) => Record(committed.Positions);

    /// <summary>A run that completed, stopped or was aborted committed every acknowledged position as it ended.</summary>
    internal void OnEnded(Pipelines.PipelineRun run)
    {
        if (run.State is PipelineState.Completed or PipelineState.Stopped or PipelineState.Aborted)
        {
            Record(run.AcknowledgedPositions);
        }
    }

    private void Record(IReadOnlyList<Records.SourcePosition> positions)
    {
        lock (_committed)
        {
            foreach (var position in positions)
            {
                _committed[position.Partition] = Math.Max(position.Offset, _committed.GetValueOrDefault(position.Partition));
            }
        }
    }

    private static string Shorten(string name)
    {
        var chars = name.Where(char.IsAsciiLetterOrDigit).Take(24).Select(char.ToLowerInvariant).ToArray();
        return chars.Length == 0 ? "test" : new string(chars);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{UniqueName} ({RecordCount} records, run {Run})");
}
