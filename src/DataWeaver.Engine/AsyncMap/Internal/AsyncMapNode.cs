using System.Buffers;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines.ErrorHandling;
using Polly;

namespace DataWeaver.AsyncMap.Internal;

/// <summary>
/// Runs an asynchronous call per record with at most <c>MaxConcurrency</c> calls at once. An intake block takes one
/// input batch at a time, waits for a batch slot (at most enough batches in flight to keep every call busy across batch
/// boundaries: the backpressure bound) and queues one work item per record; <c>MaxConcurrency</c> worker loops run the
/// calls; an emitter sends each batch's results on, in input order (or as batches finish), carrying the input batch's
/// resources, so the source records are acknowledged only once their results were written (or dead-lettered).
/// </summary>
internal sealed class AsyncMapNode<TIn, TOut>
{
    private readonly string _name;
    private readonly Func<TIn, CancellationToken, ValueTask<TOut>> _selector;
    private readonly ErrorPolicy _policy;
    private readonly ResiliencePipeline? _retries;
    private readonly ResiliencePipeline? _everyAttempt;
    private readonly RunContext _run;
    private readonly BatchTarget<TOut> _output;
    private readonly BlockCounters? _counters;
    private readonly bool _ordered;
    private readonly Channel<bool> _slots;
    private readonly Channel<WorkItem> _work = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<PendingBatch> _ready = Channel.CreateUnbounded<PendingBatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ActionBlock<Batch<TIn>> _intake;
    private readonly Task[] _workers;
    private readonly Task _emitter;

    public AsyncMapNode(
        string name,
        Func<TIn, CancellationToken, ValueTask<TOut>> selector,
        AsyncMapOptions options,
        ErrorPolicy policy,
        int boundedCapacity,
        BatchTarget<TOut> output,
        RunContext run,
        BlockCounters? counters)
    {
        _name = name;
        _selector = selector;
        _policy = policy;
        _run = run;
        _output = output;
        _counters = counters;
        _ordered = options.PreserveOrder;

        // With an attempt timeout, every attempt (the first one too) runs inside the resilience pipeline; otherwise the
        // first try is a plain call and only retries go through it.
        _everyAttempt = policy.AttemptTimeout is not null ? run.Resilience(policy, sink: true) : null;
        _retries = _everyAttempt is null ? run.Resilience(policy, sink: false) : null;

        // Enough batches in flight that the calls stay busy across batch boundaries, and no more.
        var batchSize = run.Options.BatchSize;
        _slots = Channel.CreateBounded<bool>(Math.Max(2, (2 * options.MaxConcurrency + batchSize - 1) / batchSize));

        _intake = new ActionBlock<Batch<TIn>>(DispatchAsync, NodeBlocks.Options(run, boundedCapacity, 1));
        counters?.ObserveQueue(() => _intake.InputCount);
        _workers = new Task[options.MaxConcurrency];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Run(WorkAsync);
        }

        _emitter = Task.Run(EmitAsync);
        run.Track(CompleteAsync());
        Input = new BlockTarget<TIn>(_intake, byteGate: null, counters);
    }

    public BatchTarget<TIn> Input { get; }

    private async Task DispatchAsync(Batch<TIn> input)
    {
        try
        {
            if (input.Count == 0)
            {
                input.Release();
                return;
            }

            await _slots.Writer.WriteAsync(true, _run.AbortToken).ConfigureAwait(false);
            var pending = new PendingBatch(input);
            if (Tracing.Internal.BatchTracing.Enabled)
            {
                pending.Stage = Tracing.Internal.BatchTracing.StartStage(input, _name); // the stage span, ended at emit (Tracing/)
            }

            if (_ordered)
            {
                _ready.Writer.TryWrite(pending);
            }

            for (var i = 0; i < input.Count; i++)
            {
                _work.Writer.TryWrite(new WorkItem(pending, i));
            }
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private async Task WorkAsync()
    {
        var reader = _work.Reader;
        var token = _run.AbortToken;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    await CallAsync(item.Batch, item.Index, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
        }
    }

    private async ValueTask CallAsync(PendingBatch pending, int index, CancellationToken token)
    {
        var record = pending.Input.Items[index];
        try
        {
            pending.Results[index] = _everyAttempt is null
                ? await _selector(record, token).ConfigureAwait(false)
                : await AttemptAllAsync(record, token).ConfigureAwait(false);
            pending.Succeeded[index] = true;
        }
        catch (Exception error) when (error is not OperationCanceledException || !token.IsCancellationRequested)
        {
            await HandleFailureAsync(pending, index, record, error, token).ConfigureAwait(false);
        }

        if (Interlocked.Decrement(ref pending.Remaining) == 0)
        {
            if (_ordered)
            {
                pending.Done.TrySetResult();
            }
            else
            {
                _ready.Writer.TryWrite(pending);
            }
        }
    }

    /// <summary>Every attempt inside the resilience pipeline (an attempt timeout is set); a failure here is final.</summary>
    private async ValueTask<TOut> AttemptAllAsync(TIn record, CancellationToken token)
    {
        var attempt = new Attempt(this, record);
        try
        {
            return await _everyAttempt!.ExecuteAsync(static (state, ct) => state.RunAsync(ct), attempt, token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !token.IsCancellationRequested)
        {
            throw new FinalAttemptException(error, attempt.Count);
        }
        finally
        {
            if (attempt.Count > 1)
            {
                _run.AddRetries(attempt.Count - 1, _name);
            }
        }
    }

    private async ValueTask HandleFailureAsync(PendingBatch pending, int index, TIn record, Exception error, CancellationToken token)
    {
        var attempts = 1;
        if (error is FinalAttemptException final)
        {
            error = final.InnerException!;
            attempts = final.Attempts;
        }

        var errorClass = ErrorPolicy.Classify(error, _run.Options);
        _run.CountError(_name, errorClass, error);
        if (errorClass == ErrorClass.Transient && _retries is not null && attempts == 1)
        {
            var attempt = new Attempt(this, record);
            try
            {
                pending.Results[index] = await _retries.ExecuteAsync(static (state, ct) => state.RunAsync(ct), attempt, token).ConfigureAwait(false);
                pending.Succeeded[index] = true;
                _run.AddRetries(attempt.Count, _name);
                return;
            }
            catch (Exception retryError) when (retryError is not OperationCanceledException || !token.IsCancellationRequested)
            {
                _run.AddRetries(attempt.Count, _name);
                attempts += attempt.Count;
                error = retryError;
                errorClass = ErrorPolicy.Classify(error, _run.Options);
            }
        }

        lock (pending)
        {
            // Dead-letters or skips the record, or throws the error (fail policy, fatal error): the worker fails the run.
            pending.Errors ??= new RecordErrorHandler(_name, _policy, _run, resilience: null);
            pending.Errors.Drop(record, error, errorClass, attempts, pending.Input);
        }
    }

    private async Task EmitAsync()
    {
        var reader = _ready.Reader;
        var token = _run.AbortToken;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var pending))
                {
                    if (_ordered)
                    {
                        await pending.Done.Task.WaitAsync(token).ConfigureAwait(false);
                    }

                    await EmitAsync(pending).ConfigureAwait(false);
                    _slots.Reader.TryRead(out _);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private async ValueTask EmitAsync(PendingBatch pending)
    {
        var input = pending.Input;
        var count = input.Count;
        var output = Batch<TOut>.Rent(count);
        var results = pending.Results;
        var succeeded = pending.Succeeded;
        for (var i = 0; i < count; i++)
        {
            if (succeeded[i])
            {
                output.Add(results[i]);
            }
        }

        pending.Return();
        if (pending.Errors is { } errors)
        {
            // The dead letters hold references to the input's resources: handled only once they are written.
            await errors.FlushAsync(input).ConfigureAwait(false);
        }

        _counters?.Pass(count);
        if (pending.Stage is { } stage)
        {
            Tracing.Internal.BatchTracing.StopStage(stage);
        }

        output.Bytes = input.Bytes * output.Count / count;
        input.MoveResourcesTo(output);
        input.Recycle();
        if (output.Count == 0)
        {
            output.Release();
            return;
        }

        await _output.SendAsync(output, _run.AbortToken).ConfigureAwait(false);
    }

    private async Task CompleteAsync()
    {
        await _intake.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _work.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _ready.Writer.TryComplete();
        await _emitter.ConfigureAwait(false);
        await _intake.Completion.ConfigureAwait(false);
        if (!_run.AbortToken.IsCancellationRequested)
        {
            _output.Complete();
        }
    }

    private readonly record struct WorkItem(PendingBatch Batch, int Index);

    /// <summary>One input batch whose calls are running: its results, by input index.</summary>
    private sealed class PendingBatch(Batch<TIn> input)
    {
        public Batch<TIn> Input { get; } = input;

        public TOut[] Results { get; } = ArrayPool<TOut>.Shared.Rent(input.Count);

        public bool[] Succeeded { get; } = CreateFlags(input.Count);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RecordErrorHandler? Errors { get; set; }

        /// <summary>Gets or sets the stage span of a sampled batch, from dispatch to emit.</summary>
        public System.Diagnostics.Activity? Stage { get; set; }

#pragma warning disable SA1401, CA1051 // Decremented with Interlocked.
        public int Remaining = input.Count;
#pragma warning restore SA1401, CA1051

        public void Return()
        {
            ArrayPool<TOut>.Shared.Return(Results, clearArray: System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TOut>());
            ArrayPool<bool>.Shared.Return(Succeeded);
        }

        private static bool[] CreateFlags(int count)
        {
            var flags = ArrayPool<bool>.Shared.Rent(count);
            Array.Clear(flags, 0, count);
            return flags;
        }
    }

    /// <summary>The state of one record's attempts inside the resilience pipeline.</summary>
    private sealed class Attempt(AsyncMapNode<TIn, TOut> node, TIn record)
    {
        public int Count { get; private set; }

        public ValueTask<TOut> RunAsync(CancellationToken cancellationToken)
        {
            Count++;
            return node._selector(record, cancellationToken);
        }
    }

    /// <summary>Carries the last error of attempts that all ran inside the resilience pipeline, with their number.</summary>
    private sealed class FinalAttemptException(Exception last, int attempts) : Exception(last.Message, last)
    {
        public int Attempts { get; } = attempts;
    }
}
