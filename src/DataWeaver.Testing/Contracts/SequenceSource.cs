using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// The source the sink contract suite writes from: records with sequence ids 0, 1, 2, ... made by a factory, a fixed
/// count or endless, and the record with id n has resume position <c>0@(n+1)</c>. Keeps what the engine acknowledged
/// and committed. In step mode it hands over one batch at a time and waits until that batch is acknowledged (or the
/// pipeline stops) before the next, calling a check in between.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class SequenceSource<T> : SourceConnector<T>
{
    private readonly Func<long, T> _create;
    private readonly Lock _lock = new();
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _emitted;
    private long _acknowledged;
    private long _committed;

    /// <summary>Creates the source.</summary>
    /// <param name="create">Makes the record of a sequence id.</param>
    /// <param name="count">How many records; <see langword="null"/> is endless (until the pipeline stops).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>sequence</c>.</param>
    public SequenceSource(Func<long, T> create, long? count = null, string? name = null)
        : base(name ?? "sequence")
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
        Count = count;
    }

    /// <summary>Gets how many records the source has; <see langword="null"/> when endless.</summary>
    public long? Count { get; }

    /// <summary>Gets or sets how many records each step hands over; 0 (the default) hands over as many as the engine takes.</summary>
    /// <value>The default is 0: no steps.</value>
    public int StepSize { get; set; }

    /// <summary>
    /// Gets or sets what runs between steps, once the previous step was acknowledged and before the next is handed
    /// over: the place to check what the sink made durable so far.
    /// </summary>
    public Func<CancellationToken, ValueTask>? BetweenSteps { get; set; }

    /// <summary>Gets how many records were handed to the engine.</summary>
    public long Emitted => Interlocked.Read(ref _emitted);

    /// <summary>Gets the acknowledged watermark: every record with an id below it was acknowledged by every sink.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Gets the last committed resume position: every record with an id below it was committed.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <inheritdoc />
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0L; Count is not { } count || i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _emitted);
            yield return _create(i);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override SourceReader<T> CreateReader() => new Reader(this);

    /// <inheritdoc />
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            Interlocked.Exchange(ref _committed, position.Offset);
        }

        return default;
    }

    /// <inheritdoc />
    protected override void OnAcknowledged(SourcePosition position)
    {
        TaskCompletionSource advanced;
        lock (_lock)
        {
            Interlocked.Exchange(ref _acknowledged, position.Offset);
            advanced = _advanced;
            _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        advanced.TrySetResult();
    }

    private async Task WaitAcknowledgedAsync(long watermark, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task advanced;
            lock (_lock)
            {
                if (Acknowledged >= watermark)
                {
                    return;
                }

                advanced = _advanced.Task;
            }

            await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Reader(SequenceSource<T> source) : SourceReader<T>
    {
        private long _next;

        public override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return false; // a drain: nothing was read ahead
            }

            var end = source.Count ?? long.MaxValue;
            var take = Math.Min(end - _next, buffer.Remaining);
            if (source.StepSize > 0)
            {
                if (_next > 0)
                {
                    try
                    {
                        await source.WaitAcknowledgedAsync(_next, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return false;
                    }

                    if (source.BetweenSteps is { } check)
                    {
                        await check(cancellationToken).ConfigureAwait(false);
                    }
                }

                take = Math.Min(take, source.StepSize);
            }

            for (var stop = _next + take; _next < stop; _next++)
            {
                buffer.Add(source._create(_next), new SourcePosition(0, _next + 1));
                Interlocked.Increment(ref source._emitted);
            }

            return _next < end;
        }
    }
}
