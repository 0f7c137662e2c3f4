using System.Runtime.ExceptionServices;
using DataWeaver.Errors;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using Polly;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Applies a stage's error policy to records that failed: retries transient errors through the policy's
/// resilience pipeline, then dead-letters, skips or fails. One per operator instance (per worker), so its
/// list of pending dead letters needs no lock.
/// </summary>
internal sealed class RecordErrorHandler
{
    private readonly ErrorPolicy _policy;
    private readonly ResiliencePipeline? _resilience;
    private readonly RunContext _run;
    private readonly Func<Exception, ErrorClass> _classify;
    private List<DeadLetter>? _pending;

    public RecordErrorHandler(string stage, ErrorPolicy policy, RunContext run)
        : this(stage, policy, run, run.Resilience(policy, sink: false))
    {
    }

    /// <summary>Creates a handler with a given resilience pipeline (a sink's, whose attempts all run inside it).</summary>
    public RecordErrorHandler(string stage, ErrorPolicy policy, RunContext run, ResiliencePipeline? resilience)
    {
        Stage = stage;
        _policy = policy;
        _run = run;
        var options = run.Options;
        _classify = e => ErrorPolicy.Classify(e, options);
        _resilience = resilience;
    }

    public string Stage { get; }

    public ErrorClass Classify(Exception exception) => _classify(exception);

    /// <summary>
    /// Handles a record whose first try threw <paramref name="first"/>: returns the value of a successful retry,
    /// or <c>Ok = false</c> when the record was dead-lettered or skipped. Throws (the original error) to fail.
    /// </summary>
    public async ValueTask<(bool Ok, TOut Value)> HandleAsync<TIn, TOut>(TIn record, Exception first, Func<TIn, TOut> attempt, IBatch holder)
    {
        var error = first;
        var attempts = 1;
        var errorClass = _classify(error);
        _run.CountError(Stage, errorClass, error);
        if (errorClass == ErrorClass.Transient && _resilience is not null)
        {
            var state = new Attempt<TIn, TOut>(record, attempt);
            try
            {
                var value = await _resilience.ExecuteAsync(
                    static (state, _) => ValueTask.FromResult(state.Run()),
                    state,
                    _run.AbortToken).ConfigureAwait(false);
                _run.AddRetries(state.Count, Stage);
                return (true, value);
            }
            catch (Exception retryError) when (retryError is not OperationCanceledException || !_run.AbortToken.IsCancellationRequested)
            {
                _run.AddRetries(state.Count, Stage);
                attempts += state.Count;
                error = retryError;
                errorClass = _classify(error);
            }
        }

        Drop(record, error, errorClass, attempts, holder);
        return (false, default!);
    }

    /// <summary>Dead-letters or skips a record for good, or throws to fail the pipeline.</summary>
    public void Drop<T>(T record, Exception error, ErrorClass errorClass, int attempts, IBatch holder)
    {
        if (errorClass == ErrorClass.Fatal || _policy.Action == ErrorAction.Fail)
        {
            // Name the operator that failed, not the fused block it runs in (whose name is its first operator's).
            error.Data["DataWeaver.Stage"] ??= Stage;
            ExceptionDispatchInfo.Throw(error);
        }

        if (_policy.Action == ErrorAction.Skip)
        {
            _run.AddSkipped(1, Stage);
            return;
        }

        var position = (object?)record is IRecordEnvelope envelope ? envelope.Position : (SourcePosition?)null;
        (_pending ??= []).Add(new DeadLetter(
            record, error, errorClass, Stage, _run.SourceName, attempts, _run.Options.TimeProvider.GetUtcNow(), position, holder.SourceBatchEnd()));
    }

    /// <summary>
    /// Counts a data error a stateful stage raised for a record (a late record, a missing key) and dead-letters, skips or
    /// fails it through the stage's policy, creating the stage's handler on first use.
    /// </summary>
    public static void DropDataError<T>(ref RecordErrorHandler? handler, string stage, ErrorPolicy policy, RunContext run, T record, Exception error, IBatch holder)
    {
        run.CountError(stage, ErrorClass.Data, error);
        handler ??= new RecordErrorHandler(stage, policy, run, resilience: null);
        handler.Drop(record, error, ErrorClass.Data, attempts: 1, holder); // throws under a fail policy: the run fails
    }

    /// <summary>
    /// Sends the pending dead letters as one batch holding references to <paramref name="holder"/>'s resources, so
    /// the source records count as handled only once the dead-letter sink wrote them. Call before the holder moves on.
    /// </summary>
    public async ValueTask FlushAsync(IBatch holder)
    {
        if (_pending is not { Count: > 0 } pending)
        {
            return;
        }

        var batch = Batch<DeadLetter>.Rent(pending.Count);
        foreach (var letter in pending)
        {
            batch.Add(letter);
        }

        pending.Clear();
        holder.ShareResourcesWith(batch);
        _run.AddDeadLettered(batch.Count, Stage);
        await _run.DeadLetterTarget(_policy.DeadLetterSink!).SendAsync(batch, _run.AbortToken).ConfigureAwait(false);
    }

    private sealed class Attempt<TIn, TOut>(TIn record, Func<TIn, TOut> attempt)
    {
        public int Count { get; private set; }

        public TOut Run()
        {
            Count++;
            return attempt(record);
        }
    }
}
