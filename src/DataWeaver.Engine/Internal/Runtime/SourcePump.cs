using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Diagnostics.Internal;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// The source's reading loop: takes in-flight credits, lets the source fill a buffer, registers each batch
/// with the acknowledgement tracker and sends it into the graph. Stops reading on drain or abort.
/// </summary>
internal sealed class SourcePump<T>(
    SourceConnector<T> source,
    BatchTarget<T> first,
    RunContext run,
    CapacityGate gate,
    AcknowledgementTracker tracker,
    Pipelines.ErrorHandling.ErrorPolicy policy,
    BlockCounters? counters,
    CancellationToken readToken)
{
    private long _recordsRead;
    private RecordErrorHandler? _errors;

    public long RecordsRead => Interlocked.Read(ref _recordsRead);

    /// <summary>Applies the source's error policy to the records the reader rejected (before the batch moves on).</summary>
    private async ValueTask HandleRejectsAsync(List<SourceBuffer<T>.Rejected> rejects, Batch<T> batch)
    {
        _errors ??= new RecordErrorHandler(source.Name, policy, run);
        foreach (var reject in rejects)
        {
            var letter = new Records.Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, reject.Raw, null, run.Options.TimeProvider.GetUtcNow(), reject.Position);
            var errorClass = _errors.Classify(reject.Error);
            run.CountError(source.Name, errorClass, reject.Error);
            _errors.Drop(letter, reject.Error, errorClass, attempts: 1, batch);
        }

        await _errors.FlushAsync(batch).ConfigureAwait(false);
    }

    // Once per fill; suspends whenever the first block is full: pooled, so that allocates no state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask HandOverAsync(SourceBuffer<T> buffer, long readAt, long fillStarted)
    {
        var parts = buffer.SealedParts;
        if (counters is not null)
        {
            var filled = 0;
            foreach (var part in parts)
            {
                filled += part.Batch.Count;
            }

            counters.AddWork(filled, readAt - fillStarted);
        }

        for (var i = 0; i < parts.Count; i++)
        {
            var (batch, partition, resumeOffset, rejects, firstResumeOffset) = parts[i];
            batch.Hold(tracker.Register(partition, resumeOffset, batch.Count, batch.Bytes, readAt, firstResumeOffset));
            if (Tracing.Internal.BatchTracing.Enabled)
            {
                Tracing.Internal.BatchTracing.OnRead(batch, run.Options.Name, source.Name); // the batch span (Tracing/)
            }

            Interlocked.Add(ref _recordsRead, batch.Count);
            run.Metrics?.SourceRead(batch.Count, batch.Bytes);
            if (rejects is not null)
            {
                await HandleRejectsAsync(rejects, batch).ConfigureAwait(false);
            }

            if (batch.Count == 0)
            {
                batch.Release(); // only rejected records: their dead letters hold the lease now
                continue;
            }

            await first.SendAsync(batch, run.AbortToken).ConfigureAwait(false);
        }
    }

    public async Task RunAsync()
    {
        var batchSize = run.Options.BatchSize;
        var time = run.Options.TimeProvider;
        var buffer = new SourceBuffer<T>(batchSize);
        SourceReader<T>? reader = null;
        try
        {
            reader = source.CreateReader();
            while (true)
            {
                // Once a stop is requested, one last fill hands over what the source already read, waiting for nothing.
                var stopping = readToken.IsCancellationRequested;
                if (!stopping && run.Pause.IsPaused)
                {
                    // Paused: read nothing until resumed (a stop resumes the gate, then this loop drains).
                    await run.Pause.WaitWhilePausedAsync(run.AbortToken).ConfigureAwait(false);
                    stopping = readToken.IsCancellationRequested;
                }

                var credits = gate.WaitAsync(batchSize, run.AbortToken);
                if (!credits.IsCompleted)
                {
                    // The bound is reached: records held back by batching stages pin credits; let them go.
                    run.RelievePressure();
                }

                await credits.ConfigureAwait(false);
                run.EndPressure();
                buffer.Begin(batchSize);
                bool more;
                var fillStarted = time.GetTimestamp();
                try
                {
                    more = await reader.FillAsync(buffer, readToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (readToken.IsCancellationRequested && !run.AbortToken.IsCancellationRequested)
                {
                    more = true;
                }

                // One clock read per fill: the fill's work time and the read time of its batches (end-to-end latency).
                var readAt = time.GetTimestamp();
                buffer.Seal();

                // A fill that returned during a pause waits here: its records enter the pipeline only after a resume.
                await run.Pause.EnterAsync(run.AbortToken).ConfigureAwait(false);
                try
                {
                    gate.Admit(batchSize, buffer.Count, buffer.Bytes);
                    await HandOverAsync(buffer, readAt, fillStarted).ConfigureAwait(false);
                }
                finally
                {
                    run.Pause.Exit();
                }

                if (!more || stopping)
                {
                    run.SourceStopped = readToken.IsCancellationRequested; // a stop, even one that met the end: hold rather than emit partial windows
                    break;
                }
            }

            if (!run.AbortToken.IsCancellationRequested)
            {
                first.Complete();
            }
        }
        catch (Exception exception)
        {
            run.Fail(exception, source.Name);
        }
        finally
        {
            if (reader is not null)
            {
                try
                {
                    await reader.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    run.Fail(exception, source.Name);
                }
            }
        }
    }
}
