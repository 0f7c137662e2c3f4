using System.Collections.Concurrent;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Operators;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Runs a segment's fused operators over a batch and sends the result on. Shared by every kind of transform
/// node. Each concurrent invocation gets operators of its own (struct operators may keep state).
/// </summary>
internal sealed class SegmentWorker<TIn, TOut>
{
    private readonly SegmentSpec _spec;
    private readonly BatchTarget<TOut> _output;
    private readonly RunContext _run;
    private readonly CapacityGate? _byteGate;
    private readonly BatchOperator[]? _single;
    private readonly ConcurrentBag<BatchOperator[]>? _sets;
    private readonly BlockCounters? _counters;

    /// <summary>Creates the worker; <paramref name="concurrency"/> is how many invocations may run at once (one operator set each).</summary>
    public SegmentWorker(SegmentSpec spec, BatchTarget<TOut> output, RunContext run, CapacityGate? byteGate, int concurrency, BlockCounters? counters)
    {
        _spec = spec;
        _counters = counters;
        _output = output;
        _run = run;
        _byteGate = byteGate;
        if (concurrency == 1)
        {
            _single = spec.CreateOperators(run);
        }
        else
        {
            _sets = [];
            for (var i = 0; i < concurrency; i++)
            {
                _sets.Add(spec.CreateOperators(run));
            }
        }
    }

    /// <summary>Applies the operators; <see langword="null"/> when nothing is left of the batch. Synchronous unless a record failed.</summary>
    public ValueTask<Batch<TOut>?> ApplyAsync(Batch<TIn> batch)
    {
        if (Tracing.Internal.BatchTracing.Enabled && Tracing.Internal.BatchTracing.StartStage(batch, _spec.Name) is { } stage)
        {
            return Tracing.Internal.BatchTracing.StopAfter(ApplyUntracedAsync(batch), stage); // the stage span (Tracing/)
        }

        return ApplyUntracedAsync(batch);
    }

    private ValueTask<Batch<TOut>?> ApplyUntracedAsync(Batch<TIn> batch)
    {
        if (_single is not null)
        {
            return ApplyAsync(_single, batch);
        }

        // At most `concurrency` invocations run at once, so a set is usually there to take; an invocation that went
        // asynchronous after its block moved on (a failed record's retries) still holds its own, so one is made then.
        if (!_sets!.TryTake(out var operators))
        {
            operators = _spec.CreateOperators(_run);
        }

        var apply = ApplyAsync(operators, batch);
        if (apply.IsCompleted)
        {
            _sets.Add(operators);
            return apply;
        }

        return ReturnSetAfterAsync(apply, operators);
    }

    /// <summary>Applies the operators, counting the batch and the time it took in the block's counters.</summary>
    public ValueTask<Batch<TOut>?> ApplyTimedAsync(Batch<TIn> batch)
    {
        if (_counters is null)
        {
            return ApplyAsync(batch);
        }

        var started = _counters.Begin(batch.Count);
        var apply = ApplyAsync(batch);
        if (apply.IsCompleted)
        {
            _counters.End(started);
            return apply;
        }

        return EndAfterAsync(apply, started);
    }

    /// <summary>The body of a block: apply, then send on. Failures are reported to the run before they fault the block.</summary>
    public Task ProcessAsync(Batch<TIn> batch)
    {
        var bytes = batch.Bytes;
        try
        {
            // Busy time is the operators' time only: waiting for room downstream is backpressure, not work.
            var started = _counters?.Begin(batch.Count) ?? 0;
            var apply = ApplyAsync(batch);
            if (!apply.IsCompletedSuccessfully)
            {
                return ProcessSlowAsync(apply, bytes, started);
            }

            _counters?.End(started);
            var result = apply.Result;
            if (result is null)
            {
                ReleaseGate(bytes);
                return Task.CompletedTask;
            }

            var send = _output.SendAsync(result, _run.AbortToken);
            if (send.IsCompletedSuccessfully)
            {
                ReleaseGate(bytes);
                return Task.CompletedTask;
            }

            return AwaitSendAsync(send, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _spec.Name);
            throw;
        }
    }

    private static async ValueTask<Batch<TOut>?> ApplyAsync(BatchOperator[] operators, Batch<TIn> batch)
    {
        IBatch? current = batch;
        foreach (var op in operators)
        {
            var apply = op.ApplyAsync(current);
            current = apply.IsCompletedSuccessfully ? apply.Result : await apply.ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }
        }

        return (Batch<TOut>)current;
    }

    private async ValueTask<Batch<TOut>?> ReturnSetAfterAsync(ValueTask<Batch<TOut>?> apply, BatchOperator[] operators)
    {
        try
        {
            return await apply.ConfigureAwait(false);
        }
        finally
        {
            _sets!.Add(operators);
        }
    }

    private async ValueTask<Batch<TOut>?> EndAfterAsync(ValueTask<Batch<TOut>?> apply, long started)
    {
        try
        {
            return await apply.ConfigureAwait(false);
        }
        finally
        {
            _counters!.End(started);
        }
    }

    private async Task ProcessSlowAsync(ValueTask<Batch<TOut>?> apply, long bytes, long started)
    {
        try
        {
            var result = await apply.ConfigureAwait(false);
            _counters?.End(started);
            if (result is not null)
            {
                await _output.SendAsync(result, _run.AbortToken).ConfigureAwait(false);
            }

            ReleaseGate(bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _spec.Name);
            throw;
        }
    }

    /// <summary>Sends an already processed batch on (the forwarding half of an ordered parallel node).</summary>
    public Task ForwardAsync(Batch<TOut> batch)
    {
        var send = _output.SendAsync(batch, _run.AbortToken);
        return send.IsCompletedSuccessfully ? Task.CompletedTask : AwaitSendAsync(send, bytes: 0);
    }

    public void ReleaseGate(long bytes) => _byteGate?.Release(0, bytes);

    private async Task AwaitSendAsync(ValueTask send, long bytes)
    {
        try
        {
            await send.ConfigureAwait(false);
            ReleaseGate(bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _spec.Name);
            throw;
        }
    }
}
