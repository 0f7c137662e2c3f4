using DataWeaver.Errors;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Pipelines;

/// <summary>Options of a whole pipeline. Copied when the pipeline is built; later changes do not affect it.</summary>
public sealed record PipelineOptions
{
    /// <summary>The largest accepted <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 1 << 16;

    private const int DefaultBatchSize = 4096;

    // Unset until given: the defaults of these two follow the options they are bounded by.
    private readonly int? _batchSize;
    private readonly int? _defaultStageCapacity;

    /// <summary>Gets the pipeline's name, used in graph descriptions, logs and errors.</summary>
    /// <value>The default is <c>pipeline</c>.</value>
    public string Name { get; init; } = "pipeline";

    /// <summary>
    /// Gets how many records the source puts in one batch at most. Blocks exchange batches, never single
    /// records; larger batches cost less per record, smaller ones add less latency under light load (a batch
    /// never waits to fill up: a source hands over what it has when the next record is not ready).
    /// </summary>
    /// <value>
    /// The default is 4,096, or <see cref="MaxInFlightRecords"/> when that is set lower; from 1 to 65,536. Each
    /// hand-off between blocks costs a few microseconds of CPU when it wakes an idle block's thread, whatever the batch
    /// holds: 4,096 records make that small per record, and a slow source still sends each record at once (batches
    /// never wait to fill).
    /// </value>
    public int BatchSize
    {
        get => _batchSize ?? Math.Min(DefaultBatchSize, MaxInFlightRecords);
        init => _batchSize = value;
    }

    /// <summary>
    /// Gets how many source records may be in flight at once: read and not yet acknowledged by every sink they
    /// went to. A hard bound: the source waits before reading more. This is what keeps memory bounded end to
    /// end when a sink is slower than the source.
    /// </summary>
    /// <value>The default is 65,536; at least <see cref="BatchSize"/>.</value>
    public int MaxInFlightRecords { get; init; } = 65_536;

    /// <summary>
    /// Gets how many payload bytes may be in flight at once, as reported by the source. The source reads no
    /// new batch while the bound is reached, so it can be exceeded by at most one batch.
    /// </summary>
    /// <value>The default is 256 MiB; 0 means no byte bound.</value>
    public long MaxInFlightBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Gets how many records may wait at the input of each block unless a stage says otherwise. The block's
    /// bound is this divided by <see cref="BatchSize"/>, rounded up, and at least the stage's degree of parallelism.
    /// </summary>
    /// <value>
    /// The default is 4 batches of <see cref="BatchSize"/> and at least 4,096 records: 16,384 with the default batch
    /// size, 4,096 for batches of 1,024 or fewer (as before batches of 4,096 became the default); at least 1.
    /// </value>
    public int DefaultStageCapacity
    {
        get => _defaultStageCapacity ?? Math.Max((int)Math.Min(4L * BatchSize, int.MaxValue), 4096);
        init => _defaultStageCapacity = value;
    }

    /// <summary>
    /// Gets how often acknowledged source positions are committed while the pipeline runs; they are committed
    /// once more when the run ends (source done, drain, failure or abort) in every mode. After a crash, what was
    /// acknowledged but not committed is read again: the shorter the interval, the fewer duplicates.
    /// <see cref="TimeSpan.Zero"/> commits continuously: as soon as a watermark advances, coalesced (commits
    /// never overlap; the next starts when the previous finished, with every advance since), so after a crash
    /// the duplicates are bounded by the in-flight window (<see cref="MaxInFlightRecords"/>) plus what was
    /// acknowledged during one commit, rather than by the interval.
    /// <see cref="Timeout.InfiniteTimeSpan"/> commits only when the run ends.
    /// </summary>
    /// <value>
    /// The default is 5 seconds; a positive interval, <see cref="TimeSpan.Zero"/> (continuous) or
    /// <see cref="Timeout.InfiniteTimeSpan"/> (only when the run ends).
    /// </value>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets how long a commit that fails with a transient error (a broker's request timeout, a coordinator moving)
    /// is retried, with exponential backoff from 100 ms to 5 s, before the run fails. Positions stay uncommitted
    /// meanwhile, nothing is lost; <see cref="TimeSpan.Zero"/> fails the run on the first failed commit.
    /// </summary>
    /// <value>The default is 30 seconds; zero or positive.</value>
    public TimeSpan CommitRetryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the clock used for batch windows and commit intervals.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the error policy of every stage that sets none with <c>OnError</c>.</summary>
    /// <value>The default is <see cref="ErrorPolicy.FailFast"/>: no retries, the first error stops the pipeline.</value>
    public ErrorPolicy ErrorPolicy { get; init; } = ErrorPolicy.FailFast;

    /// <summary>
    /// Gets how to classify exceptions that are not <see cref="DataWeaverException"/>s: return a class, or
    /// <see langword="null"/> to leave it to the defaults (timeouts and open circuits are transient, anything
    /// else is <see cref="UnknownErrorClass"/>). MUST NOT throw.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Func<Exception, ErrorClass?>? ClassifyError { get; init; }

    /// <summary>Gets the class of exceptions nothing else classifies.</summary>
    /// <value>The default is <see cref="ErrorClass.Fatal"/>.</value>
    public ErrorClass UnknownErrorClass { get; init; } = ErrorClass.Fatal;

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            yield return "PipelineOptions.Name must not be empty.";
        }

        if (BatchSize is < 1 or > MaxBatchSize)
        {
            yield return $"PipelineOptions.BatchSize must be from 1 to {MaxBatchSize} (was {BatchSize}).";
        }

        if (MaxInFlightRecords < BatchSize)
        {
            yield return $"PipelineOptions.MaxInFlightRecords must be at least BatchSize ({BatchSize}) (was {MaxInFlightRecords}).";
        }

        if (MaxInFlightBytes < 0)
        {
            yield return $"PipelineOptions.MaxInFlightBytes must be 0 (no bound) or positive (was {MaxInFlightBytes}).";
        }

        if (DefaultStageCapacity < 1)
        {
            yield return $"PipelineOptions.DefaultStageCapacity must be at least 1 record (was {DefaultStageCapacity}).";
        }

        if (CommitInterval < TimeSpan.Zero && CommitInterval != Timeout.InfiniteTimeSpan)
        {
            yield return $"PipelineOptions.CommitInterval must be positive, TimeSpan.Zero (continuous) or Timeout.InfiniteTimeSpan (only when the run ends) (was {CommitInterval}).";
        }

        if (CommitRetryTimeout < TimeSpan.Zero)
        {
            yield return $"PipelineOptions.CommitRetryTimeout must be zero or positive (was {CommitRetryTimeout}).";
        }
    }
}
