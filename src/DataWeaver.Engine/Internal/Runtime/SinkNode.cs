using System.Threading.Tasks.Dataflow;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using Polly;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// A sink's block: runs the sink's process step, then hands the batch to the sink with its acknowledgement.
/// A failed write goes to the sink's error policy: transient errors retry the batch; what still fails is
/// written record by record, so only the records that fail are dead-lettered or skipped.
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

    public SinkNode(string name, SinkConnector<T> sink, StageOptions options, ErrorPolicy? policy, int boundedCapacity, RunContext run, bool deadLetter = false)
    {
        _name = name;
        _sink = sink;
        _run = run;
        _process = sink.OverridesProcess;
        _gate = NodeBlocks.ByteGate(options.CapacityBytes);
        _policy = policy;
        _resilience = policy is null ? null : RecordErrorHandler.CreateResilience(policy, run);
        var block = new ActionBlock<Batch<T>>(
            WriteAsync,
            NodeBlocks.Options(run, boundedCapacity, options.DegreeOfParallelism, ensureOrdered: false));
        if (deadLetter)
        {
            run.TrackDeadLetter(block.Completion);
        }
        else
        {
            run.Track(block.Completion);
        }

        Input = new BlockTarget<T>(block, _gate);
    }

    public BatchTarget<T> Input { get; }

    private Task WriteAsync(Batch<T> batch)
    {
        var count = batch.Count;
        var bytes = batch.Bytes;
        try
        {
            if (_process)
            {
                var items = batch.Items;
                for (var i = 0; i < count; i++)
                {
                    items[i] = _sink.Process(items[i]);
                }
            }

            var write = _sink.WriteBatchAsync(batch.Memory, new SinkAcknowledgement(batch, batch.Generation), _run.AbortToken);
            if (write.IsCompletedSuccessfully)
            {
                Done(count, bytes);
                return Task.CompletedTask;
            }

            return AwaitWriteAsync(write, batch, count, bytes);
        }
        catch (Exception exception) when (_policy is not null && !Aborting(exception))
        {
            return RecoverAsync(batch, exception, count, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private async Task AwaitWriteAsync(ValueTask write, Batch<T> batch, int count, long bytes)
    {
        try
        {
            await write.ConfigureAwait(false);
            Done(count, bytes);
        }
        catch (Exception exception) when (_policy is not null && !Aborting(exception))
        {
            await RecoverAsync(batch, exception, count, bytes).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    /// <summary>The slow path of a failed write: retry the batch, then isolate the records that keep failing.</summary>
    private async Task RecoverAsync(Batch<T> batch, Exception first, int count, long bytes)
    {
        var handler = new RecordErrorHandler(_name, _policy!, _run, _resilience);
        try
        {
            var (written, error) = await RetryAsync(batch, first, handler).ConfigureAwait(false);
            if (!written)
            {
                var errorClass = handler.Classify(error!);
                if (errorClass == ErrorClass.Fatal || _policy!.Action == ErrorAction.Fail)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!);
                }

                await IsolateAsync(batch, handler).ConfigureAwait(false);
            }

            Done(count, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    /// <summary>Retries a whole batch while its errors are transient; returns whether it was written, else the last error.</summary>
    private async Task<(bool Written, Exception? Error)> RetryAsync(Batch<T> batch, Exception first, RecordErrorHandler handler)
    {
        if (handler.Classify(first) != ErrorClass.Transient || handler.Resilience is not { } resilience)
        {
            return (false, first);
        }

        var attempts = 0;
        try
        {
            await resilience.ExecuteAsync(
                async ct =>
                {
                    attempts++;
                    await _sink.WriteBatchAsync(batch.Memory, new SinkAcknowledgement(batch, batch.Generation), ct).ConfigureAwait(false);
                },
                _run.AbortToken).ConfigureAwait(false);
            return (true, null);
        }
        catch (Exception exception) when (!Aborting(exception))
        {
            return (false, exception);
        }
        finally
        {
            _run.AddRetries(attempts);
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
            try
            {
                await _sink.WriteBatchAsync(single.Memory, new SinkAcknowledgement(single, single.Generation), _run.AbortToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!Aborting(error))
            {
                var (written, last) = await RetryAsync(single, error, handler).ConfigureAwait(false);
                if (!written)
                {
                    handler.Drop(record, last!, handler.Classify(last!), attempts: 1, batch);
                    single.Release();
                }
            }
        }

        // The dead letters take references before the batch lets go of its own.
        await handler.FlushAsync(batch).ConfigureAwait(false);
        batch.Release();
    }

    private bool Aborting(Exception exception) => exception is OperationCanceledException && _run.AbortToken.IsCancellationRequested;

    private void Done(int count, long bytes)
    {
        _run.AddWritten(count);
        _gate?.Release(0, bytes);
    }
}
