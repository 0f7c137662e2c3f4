using DataWeaver.Internal.Operators;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Internal.Runtime;

/// <summary>Runs a segment's fused operators over a batch and sends the result on. Shared by every kind of transform node.</summary>
internal sealed class SegmentWorker<TIn, TOut>(SegmentSpec spec, BatchTarget<TOut> output, RunContext run, CapacityGate? byteGate)
{
    private readonly BatchOperator[] _operators = spec.CreateOperators();

    public string Name => spec.Name;

    /// <summary>Applies the operators; <see langword="null"/> when nothing is left of the batch.</summary>
    public Batch<TOut>? Apply(Batch<TIn> batch)
    {
        IBatch? current = batch;
        foreach (var op in _operators)
        {
            current = op.Apply(current);
            if (current is null)
            {
                return null;
            }
        }

        return (Batch<TOut>)current;
    }

    /// <summary>The body of a block: apply, then send on. Failures are reported to the run before they fault the block.</summary>
    public Task ProcessAsync(Batch<TIn> batch)
    {
        var bytes = batch.Bytes;
        try
        {
            var result = Apply(batch);
            if (result is null)
            {
                ReleaseGate(bytes);
                return Task.CompletedTask;
            }

            var send = output.SendAsync(result, run.AbortToken);
            if (send.IsCompletedSuccessfully)
            {
                ReleaseGate(bytes);
                return Task.CompletedTask;
            }

            return AwaitSendAsync(send, bytes);
        }
        catch (Exception exception)
        {
            run.Fail(exception, spec.Name);
            throw;
        }
    }

    /// <summary>Sends an already processed batch on (the forwarding half of an ordered parallel node).</summary>
    public Task ForwardAsync(Batch<TOut> batch)
    {
        var send = output.SendAsync(batch, run.AbortToken);
        return send.IsCompletedSuccessfully ? Task.CompletedTask : AwaitSendAsync(send, bytes: 0);
    }

    public void ReleaseGate(long bytes) => byteGate?.Release(0, bytes);

    private async Task AwaitSendAsync(ValueTask send, long bytes)
    {
        try
        {
            await send.ConfigureAwait(false);
            ReleaseGate(bytes);
        }
        catch (Exception exception)
        {
            run.Fail(exception, spec.Name);
            throw;
        }
    }
}
