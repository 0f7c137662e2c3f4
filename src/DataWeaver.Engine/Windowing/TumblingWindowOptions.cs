namespace DataWeaver.Windowing;

/// <summary>
/// Options of a tumbling window stage (<see cref="Pipelines.WindowPipelineBuilderExtensions"/>): the window size, how
/// out of order event times may arrive, and the state bound. Copied when the stage is added.
/// </summary>
public sealed record TumblingWindowOptions
{
    /// <summary>The largest accepted <see cref="MaxKeys"/>.</summary>
    public const int MaxKeysLimit = 100_000_000;

    /// <summary>Gets the window size. Windows are aligned to the Unix epoch: a 1-minute window starts on the minute.</summary>
    /// <value>The default is 1 minute; from 1 millisecond to 366 days.</value>
    public TimeSpan Size { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets how far behind the newest event time seen a record's event time may be (event-time windows only). The
    /// watermark is the newest event time seen minus this; a window is emitted once the watermark reaches its end, and a
    /// record whose window was already emitted is late: a data error (<see cref="LateRecordException"/>) that goes to the
    /// stage's error policy (dead-letter, skip or fail).
    /// </summary>
    /// <value>The default is zero: records must come in event-time order, window by window.</value>
    public TimeSpan MaxOutOfOrderness { get; init; }

    /// <summary>
    /// Gets how many (window, key) aggregates the stage holds at once: its memory bound (about 100 bytes each plus the
    /// key). A new aggregate beyond it fails the pipeline with <see cref="WindowStateFullException"/> (a fatal error;
    /// nothing is committed past the records of open windows, so a restart with a larger bound loses nothing). Records
    /// are never dropped for lack of room.
    /// </summary>
    /// <value>The default is 1,000,000; from 1 to 100,000,000.</value>
    public int MaxKeys { get; init; } = 1_000_000;

    /// <summary>Gets the byte budget of the stage's state (see <see cref="WindowOptions.StateBudgetBytes"/>), a bound beside <see cref="MaxKeys"/>.</summary>
    /// <value>The default is 256 MiB; from 64 KiB to 1 TiB.</value>
    public long StateBudgetBytes { get; init; } = WindowOptions.DefaultStateBudgetBytes;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs, errors and dead letters.</summary>
    /// <value>The default is <see langword="null"/>: <c>window</c> and the stage's position.</value>
    public string? Name { get; init; }
}
