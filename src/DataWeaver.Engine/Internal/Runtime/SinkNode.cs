using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using DataWeaver.Connectors;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using Polly;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// A sink's block: runs the sink's process step, then hands the batch to the sink with its acknowledgement.
/// With a resilience pipeline (retries, timeout, breaker) every attempt of a write runs inside it. A write that
/// still fails goes to the sink's error policy: unless it fails the run, the records are written one by one, so
/// only the records that fail are dead-lettered or skipped. A batch the sink acknowledged during an attempt that
/// then failed counts as written and is never touched again.
/// </summary>
internal sealed class SinkNode<T>
{
    private readonly string _name;
    private readonly SinkConnector<T> _sink;
    private readonly RunContext _run;
    private readonly CapacityGate? _gate;
    private readonly bool _process;
    private readonly ErrorPolicy? _policy;
    private readonly ResiliencePipeline? _resilience;
    private readonly BlockCounters? _counters;
    private readonly Action<Exception> _failLater;
    private readonly bool _deadLetter;

    public SinkNode(
        string name, SinkConnector<T> sink, StageOptions options, ErrorPolicy? policy, int boundedCapacity, RunContext run, bool deadLetter = false, BlockCounters? counters = null)
    {
        _failLater = error => run.Fail(error, name + " (delivery)");
        _deadLetter = deadLetter;
        _name = name;
        _counters = counters;
        _sink = sink;
        _run = run;
        _process = sink.OverridesProcess;
        _gate = NodeBlocks.ByteGate(options.CapacityBytes);
        _policy = policy;
        _resilience = policy is null ? null : run.Resilience(policy, sink: true);
        var block = new ActionBlock<Batch<T>>(
            Tracing.Internal.BatchTracing.TraceWrites<T>(counters is null ? WriteAsync : WriteTimedAsync, name), // the write span (Tracing/)
            NodeBlocks.Options(run, boundedCapacity, options.DegreeOfParallelism, ensureOrdered: false));
        if (deadLetter)
        {
            run.TrackDeadLetter(block.Completion);
        }
        else
        {
            run.Track(block.Completion);
        }

        counters?.ObserveQueue(() => block.InputCount);
        Input = new BlockTarget<T>(block, _gate, counters);
    }

    public BatchTarget<T> Input { get; }

    /// <summary>A write, counted with the time it took (the sink's whole write, I/O included) in the block's counters.</summary>
    private Task WriteTimedAsync(Batch<T> batch)
    {
        var started = _counters!.Begin(batch.Count);
        var write = WriteAsync(batch);
        if (write.IsCompleted)
        {
            _counters.End(started);
            return write;
        }

        return EndAfterAsync(write, started);
    }

    private async Task EndAfterAsync(Task write, long started)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        finally
        {
            _counters!.End(started);
        }
    }

    private Task WriteAsync(Batch<T> batch)
    {
        var count = batch.Count;
        var bytes = batch.Bytes;
        try
        {
            if (_process && !TryProcess(batch, out var failedAt, out var error))
            {
                return ProcessSlowThenWriteAsync(batch, failedAt, error, count, bytes);
            }

            if (_resilience is not null)
            {
                return WriteResilientAsync(batch, count, bytes);
            }

            var generation = batch.Generation;
            var write = _sink.WriteBatchAsync(batch.Memory, new SinkAcknowledgement(batch, generation, _failLater), _run.AbortToken);
            if (write.IsCompletedSuccessfully)
            {
                Done(count, bytes);
                return Task.CompletedTask;
            }

            return AwaitWriteAsync(write, batch, generation, count, bytes);
        }
        catch (Exception exception) when (_policy is not null && !Aborting(exception))
        {
            return RecoverAsync(batch, batch.Generation, exception, attempts: 1, count, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    /// <summary>Runs the sink's process step in place; on the first record that throws, says where.</summary>
    private bool TryProcess(Batch<T> batch, out int failedAt, out Exception error)
    {
        var items = batch.Items;
        var i = 0;
        try
        {
            for (; i < batch.Count; i++)
            {
                items[i] = _sink.Process(items[i]);
            }

            failedAt = -1;
            error = null!;
            return true;
        }
        catch (Exception exception) when (_policy is not null)
        {
            failedAt = i;
            error = exception;
            return false;
        }
    }

    /// <summary>The process step failed on a record: the policy handles the failing records, the rest are written.</summary>
    private async Task ProcessSlowThenWriteAsync(Batch<T> batch, int failedAt, Exception first, int count, long bytes)
    {
        try
        {
            var handler = new RecordErrorHandler(_name, _policy!, _run);
            var items = batch.Items;
            var kept = failedAt;
            for (var i = failedAt; i < batch.Count; i++)
            {
                var record = items[i];
                bool ok;
                T value;
                if (i == failedAt)
                {
                    (ok, value) = await handler.HandleAsync(record, first, _sink.Process, batch).ConfigureAwait(false);
                }
                else
                {
                    try
                    {
                        value = _sink.Process(record);
                        ok = true;
                    }
                    catch (Exception error)
                    {
                        (ok, value) = await handler.HandleAsync(record, error, _sink.Process, batch).ConfigureAwait(false);
                    }
                }

                if (ok)
                {
                    items[kept++] = value;
                }
            }

            await handler.FlushAsync(batch).ConfigureAwait(false);
            if (kept == 0)
            {
                batch.Release();
                Done(0, bytes);
                return;
            }

            batch.Count = kept;
            if (_resilience is not null)
            {
                await WriteResilientAsync(batch, kept, bytes).ConfigureAwait(false);
                return;
            }

            var generation = batch.Generation;
            try
            {
                await _sink.WriteBatchAsync(batch.Memory, new SinkAcknowledgement(batch, generation, _failLater), _run.AbortToken).ConfigureAwait(false);
                Done(kept, bytes);
            }
            catch (Exception error) when (!Aborting(error))
            {
                await RecoverAsync(batch, generation, error, attempts: 1, kept, bytes).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private async Task AwaitWriteAsync(ValueTask write, Batch<T> batch, int generation, int count, long bytes)
    {
        try
        {
            await write.ConfigureAwait(false);
            Done(count, bytes);
        }
        catch (Exception exception) when (_policy is not null && !Aborting(exception))
        {
            await RecoverAsync(batch, generation, exception, attempts: 1, count, bytes).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    /// <summary>Every attempt of the write inside the resilience pipeline (retries, timeout, breaker).</summary>
    private async Task WriteResilientAsync(Batch<T> batch, int count, long bytes)
    {
        var generation = batch.Generation;
        var (written, error, attempts) = await TryWriteAsync(batch, generation).ConfigureAwait(false);
        if (written)
        {
            Done(count, bytes);
            return;
        }

        await RecoverAsync(batch, generation, error!, attempts, count, bytes).ConfigureAwait(false);
    }

    /// <summary>Writes through the resilience pipeline; returns whether it was written, else the last error and the attempts made.</summary>
    private async Task<(bool Written, Exception? Error, int Attempts)> TryWriteAsync(Batch<T> batch, int generation)
    {
        var attempts = 0;
        try
        {
            await _resilience!.ExecuteAsync(
                async ct =>
                {
                    if (batch.Generation != generation)
                    {
                        return; // acknowledged by an earlier attempt that then failed: written
                    }

                    attempts++;
                    await _sink.WriteBatchAsync(batch.Memory, new SinkAcknowledgement(batch, generation, _failLater), ct).ConfigureAwait(false);
                },
                _run.AbortToken).ConfigureAwait(false);
            if (attempts > 1)
            {
                _run.CountError(_name, ErrorClass.Transient); // failed first, then written by a retry
            }

            return (true, null, attempts);
        }
        catch (Exception exception) when (!Aborting(exception))
        {
            return (batch.Generation != generation, exception, attempts);
        }
        finally
        {
            _run.AddRetries(Math.Max(0, attempts - 1), _name);
        }
    }

    /// <summary>The write failed for good: fail the run, or write the records one by one so only the bad ones are dropped.</summary>
    private async Task RecoverAsync(Batch<T> batch, int generation, Exception error, int attempts, int count, long bytes)
    {
        try
        {
            var handler = new RecordErrorHandler(_name, _policy!, _run, _resilience);
            var errorClass = handler.Classify(error);
            _run.CountError(_name, errorClass, error);
            if (batch.Generation != generation)
            {
                Done(count, bytes); // the sink acknowledged the batch before the attempt failed
                return;
            }

            if (errorClass == ErrorClass.Fatal || _policy!.Action == ErrorAction.Fail)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            await IsolateAsync(batch, handler).ConfigureAwait(false);
            Done(count, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    /// <summary>Writes the records one by one (each with the batch's resources), so only the bad ones are dropped.</summary>
    private async Task IsolateAsync(Batch<T> batch, RecordErrorHandler handler)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var record = batch.Items[i];
            var single = Batch<T>.Rent(1);
            single.Add(record);
            batch.ShareResourcesWith(single);
            var generation = single.Generation;
            Exception? error;
            int attempts;
            if (_resilience is not null)
            {
                bool written;
                (written, error, attempts) = await TryWriteAsync(single, generation).ConfigureAwait(false);
                if (written)
                {
                    continue;
                }
            }
            else
            {
                attempts = 1;
                try
                {
                    await _sink.WriteBatchAsync(single.Memory, new SinkAcknowledgement(single, generation, _failLater), _run.AbortToken).ConfigureAwait(false);
                    continue;
                }
                catch (Exception exception) when (!Aborting(exception))
                {
                    if (single.Generation != generation)
                    {
                        continue; // acknowledged, then failed: written
                    }

                    error = exception;
                }
            }

            var errorClass = handler.Classify(error!);
            _run.CountError(_name, errorClass, error);
            handler.Drop(record, error!, errorClass, attempts, batch);
            single.Release();
        }

        // The dead letters take references before the batch lets go of its own.
        await handler.FlushAsync(batch).ConfigureAwait(false);
        batch.Release();
    }

    private bool Aborting(Exception exception) => exception is OperationCanceledException && _run.AbortToken.IsCancellationRequested;

    private void Done(int count, long bytes)
    {
        _run.AddWritten(_name, _sink, count, bytes, _deadLetter);
        _gate?.Release(0, bytes);
    }
}
