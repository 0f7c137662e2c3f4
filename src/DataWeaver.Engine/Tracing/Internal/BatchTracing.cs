using System.Diagnostics;
using System.Runtime.CompilerServices;
using DataWeaver.Diagnostics;
using DataWeaver.Internal;
using DataWeaver.Records;

namespace DataWeaver.Tracing.Internal;

/// <summary>
/// The engine's hooks for traces: a batch span when the source hands a batch over, a stage span around a transform
/// segment's operators, a write span around a sink's write. Every hook is guarded by one
/// <see cref="ActivitySource.HasListeners"/> check per batch; nothing here runs per record unless the batch was sampled.
/// </summary>
internal static class BatchTracing
{
    private static readonly ActivitySource Source = DataWeaverActivitySource.Source;

    /// <summary>Gets whether anything listens to the DataWeaver activity source (checked once per batch and block).</summary>
    public static bool Enabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Source.HasListeners();
    }

    /// <summary>
    /// Starts the span of a source batch, parented by the first record's trace context and linked to the other records'
    /// distinct contexts, and lets the batch hold it (it ends when the batch's records are all acknowledged). Nothing
    /// happens when the engine's head sampling (<see cref="DataWeaverActivitySource.SampleRatio"/>) or the listener's
    /// sampler drops the batch; the engine's allocates nothing for a dropped batch.
    /// </summary>
    public static void OnRead<T>(Batch<T> batch, string pipeline, string source)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var first = HeadersOf(batch.Items[0]);
        if (DataWeaverActivitySource.HeadSampler is { } head && !head.Keeps(first))
        {
            return; // not kept by the engine's own sampling: no Activity, no listener asked, headers travel on unchanged
        }

        Activity? activity;
        if (TraceContextHeaders.TryGetContext(first, out var parent) || Activity.Current is not { } ambient)
        {
            activity = Source.CreateActivity(DataWeaverActivitySource.BatchOperation, ActivityKind.Consumer, parent);
        }
        else
        {
            // No context in the record: a new trace, not a child of whatever activity was current where the run started.
            Activity.Current = null;
            activity = Source.CreateActivity(DataWeaverActivitySource.BatchOperation, ActivityKind.Consumer, parent);
            Activity.Current = ambient;
        }

        if (activity is null || !activity.IsAllDataRequested)
        {
            return; // dropped by the sampler: the records' own headers travel on unchanged
        }

        activity.DisplayName = pipeline + " batch";
        activity.SetTag(DataWeaverTags.Pipeline, pipeline);
        activity.SetTag(DataWeaverTags.Source, source);
        activity.SetTag(DataWeaverActivitySource.RecordCountTag, batch.Count);
        AddLinks(activity, batch, parent);
        Start(activity);
        batch.Hold(new BatchSpan(activity));
    }

    /// <summary>Links the batch span to every distinct context of its records other than its parent (at most <see cref="DataWeaverActivitySource.MaxLinks"/>).</summary>
    private static void AddLinks<T>(Activity activity, Batch<T> batch, ActivityContext parent)
    {
        HashSet<ActivityContext>? seen = null;
        ReadOnlyMemory<byte> previous = default;
        var dropped = 0;
        var items = batch.Items;
        for (var i = 0; i < batch.Count; i++)
        {
            var headers = HeadersOf(items[i]);
            if (headers is null || !headers.TryGetLast(TraceContextHeaders.TraceParent, out var traceParent)
                || traceParent.Span.SequenceEqual(previous.Span))
            {
                continue; // records of one upstream batch share one context: compare bytes before parsing
            }

            previous = traceParent;
            if (!TraceContextHeaders.TryGetContext(headers, out var context) || context == parent || !(seen ??= []).Add(context))
            {
                continue;
            }

            if (seen.Count > DataWeaverActivitySource.MaxLinks)
            {
                dropped++;
                continue;
            }

            activity.AddLink(new ActivityLink(context));
        }

        if (dropped > 0)
        {
            activity.SetTag(DataWeaverActivitySource.LinksDroppedTag, dropped);
        }
    }

    /// <summary>Starts a stage span under the batch's span, or returns <see langword="null"/> when the batch was not sampled.</summary>
    public static Activity? StartStage<T>(Batch<T> batch, string stage)
    {
        if (batch.FindSpan() is not { } span)
        {
            return null;
        }

        var activity = Source.CreateActivity(DataWeaverActivitySource.StageOperation, ActivityKind.Internal, span.Activity.Context);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = stage;
        activity.SetTag(DataWeaverTags.Stage, stage);
        activity.SetTag(DataWeaverActivitySource.RecordCountTag, batch.Count);
        Start(activity);
        return activity;
    }

    /// <summary>Ends a stage span whose work is done (a stage that finishes a batch elsewhere than where it started it).</summary>
    public static void StopStage(Activity stage) => Stop(stage, null);

    /// <summary>Ends a stage span once the stage's work on the batch is done.</summary>
    public static async ValueTask StopAfter(ValueTask work, Activity stage)
    {
        try
        {
            await work.ConfigureAwait(false);
            Stop(stage, null);
        }
        catch (Exception error)
        {
            Stop(stage, error);
            throw;
        }
    }

    /// <summary>Ends a stage span once the stage's work on the batch is done.</summary>
    public static ValueTask<TResult> StopAfter<TResult>(ValueTask<TResult> work, Activity stage)
    {
        if (work.IsCompletedSuccessfully)
        {
            Stop(stage, null);
            return work;
        }

        return StopAfterAsync(work, stage); // awaited once there, failures included (a ValueTask may be consumed only once)

        static async ValueTask<TResult> StopAfterAsync(ValueTask<TResult> work, Activity stage)
        {
            try
            {
                var result = await work.ConfigureAwait(false);
                Stop(stage, null);
                return result;
            }
            catch (Exception error)
            {
                Stop(stage, error);
                throw;
            }
        }
    }

    /// <summary>
    /// Wraps a sink block's body: a sampled batch's write runs inside a write span, <see cref="Activity.Current"/> while
    /// the write's synchronous part runs (so the sink's <see cref="OutgoingTraceContext.Capture"/> finds it).
    /// </summary>
    public static Func<Batch<T>, Task> TraceWrites<T>(Func<Batch<T>, Task> write, string sink) =>
        batch => Enabled && batch.FindSpan() is { } span ? TracedWrite(write, batch, span, sink) : write(batch);

    private static Task TracedWrite<T>(Func<Batch<T>, Task> write, Batch<T> batch, BatchSpan span, string sink)
    {
        var activity = Source.CreateActivity(DataWeaverActivitySource.WriteOperation, ActivityKind.Producer, span.Activity.Context);
        if (activity is null)
        {
            return write(batch);
        }

        activity.DisplayName = sink + " write";
        activity.SetTag(DataWeaverTags.Sink, sink);
        activity.SetTag(DataWeaverActivitySource.RecordCountTag, batch.Count);
        var previous = Activity.Current;
        activity.Start();
        Task task;
        try
        {
            task = write(batch);
        }
        finally
        {
            Activity.Current = previous;
        }

        if (task.IsCompleted)
        {
            Stop(activity, task.Exception);
            return task;
        }

        return StopAfter(new ValueTask(task), activity).AsTask();
    }

    /// <summary>Starts an activity without leaving it current on this thread (the engine passes parents explicitly).</summary>
    private static void Start(Activity activity)
    {
        var previous = Activity.Current;
        activity.Start();
        Activity.Current = previous;
    }

    /// <summary>Stops a span; a failure sets the error status with the exception's type only (messages may carry data).</summary>
    private static void Stop(Activity activity, Exception? error)
    {
        if (error is not null)
        {
            var first = error is AggregateException { InnerExceptions: [var inner] } ? inner : error;
            activity.SetStatus(ActivityStatusCode.Error, first.GetType().Name);
        }

        activity.Stop();
    }

    /// <summary>The headers of a record: <see cref="Record{TValue}.Headers"/> when the pipeline carries records, else none. Never boxes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RecordHeaders? HeadersOf<T>(in T item) => EnvelopeHeaders<T>.Read is { } read ? read(in item) : null;
}
