using System.Globalization;
using DataWeaver.Connectors;
using DataWeaver.Pipelines;
using DataWeaver.Testing.Faults;
using DataWeaver.Testing.Sequences;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// The contract every sink connector passes. Subclass it in your test project, say how to create your sink
/// (<see cref="CreateSinkAsync"/>), a record of a sequence id (<see cref="CreateRecord"/>), how to read back what the
/// external system holds (<see cref="ReadBackAsync"/>) and a record's sequence id, and xUnit runs every test below
/// against it: everything acknowledged is readable back, nothing is acknowledged before it is written, failed writes
/// are never acknowledged, a drain flushes, batch boundaries lose and repeat nothing, and a canary secret stays out of
/// everything the run produced.
/// </summary>
/// <typeparam name="T">The sink's record type.</typeparam>
public abstract class SinkContractTests<T> : ConnectorContractTests<T>
{
    /// <summary>
    /// Creates the sink under test, writing to a place of its own for this test (a file in
    /// <see cref="ContractContext.Directory"/>, a topic named <see cref="ContractContext.UniqueName"/>). Put
    /// <see cref="ContractContext.Secret"/> into its credentials, if it has any.
    /// </summary>
    /// <param name="context">The test's context.</param>
    /// <returns>A new sink, not opened.</returns>
    protected abstract ValueTask<SinkConnector<T>> CreateSinkAsync(ContractContext context);

    /// <summary>Creates the record with sequence id <paramref name="sequence"/>; <see cref="ConnectorContractTests{T}.GetSequence"/> reads it back.</summary>
    /// <param name="sequence">The sequence id.</param>
    /// <param name="context">The test's context.</param>
    /// <returns>The record.</returns>
    protected abstract T CreateRecord(long sequence, ContractContext context);

    /// <summary>
    /// Reads back everything the sink made durable so far, in the order the external system holds it, the way a
    /// reader that is not the sink would (open the file anew, consume the topic). Called while the pipeline runs, too.
    /// </summary>
    /// <param name="context">The test's context.</param>
    /// <param name="cancellationToken">Aborts the read.</param>
    /// <returns>The records.</returns>
    protected abstract ValueTask<IReadOnlyList<T>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the external system refuse writes from now on (a broker down, a full disk), for the failed-writes test;
    /// disposing the result repairs it so <see cref="ReadBackAsync"/> works again. The default returns
    /// <see langword="null"/>: the connector cannot be broken from a test, and the test is skipped.
    /// </summary>
    /// <param name="context">The test's context.</param>
    /// <returns>A handle that repairs the system when disposed, or <see langword="null"/>.</returns>
    protected virtual ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context) => new((IAsyncDisposable?)null);

    /// <summary>
    /// Gets a value indicating whether a new sink over the same place adds to what earlier runs wrote (an append-mode
    /// file, a topic, a table), as a sink behind a checkpointed source must. A sink that replaces its output with each
    /// run by design returns <see langword="false"/>, and the restart test is skipped.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    protected virtual bool KeepsOutputAcrossRuns => true;

    /// <summary>Adds to the secrets scan what only the subclass can see. The default adds nothing.</summary>
    /// <param name="context">The test's context.</param>
    /// <param name="scanner">The scanner.</param>
    /// <returns>A task that completes once added.</returns>
    protected virtual ValueTask AddToSecretScanAsync(ContractContext context, SecretScanner scanner) => default;

    /// <summary>After a run, every record acknowledged (all of them) is readable back, once each.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Write_AllRecords_EveryAcknowledgedRecordReadableBack()
    {
        var context = NewContext();
        var source = NewSource(context, context.RecordCount);
        var run = Pipeline.From(source, PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);

        Assert.Null(error);
        Assert.Equal(context.RecordCount, source.Acknowledged);
        Assert.Equal(context.RecordCount, source.Committed);
        AssertExactlyOnce(SequenceChecker.Check(await ReadBackIdsAsync(context).ConfigureAwait(false), context.RecordCount));
    }

    /// <summary>
    /// Nothing is acknowledged before it is written: the source hands over one batch at a time, and each time its
    /// acknowledgement arrives, every acknowledged record is already readable back.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Write_EachAcknowledgement_RecordsAlreadyReadableBack()
    {
        var context = NewContext();
        var steps = 4;
        var source = NewSource(context, (long)steps * PipelineOptions.BatchSize);
        source.StepSize = PipelineOptions.BatchSize;
        var violations = new List<string>();
        source.BetweenSteps = async cancellationToken =>
        {
            var acknowledged = source.Acknowledged;
            var readable = (await ReadBackIdsAsync(context, cancellationToken).ConfigureAwait(false)).ToHashSet();
            var missing = Enumerable.Range(0, (int)acknowledged).Where(id => !readable.Contains(id)).Take(10).ToList();
            if (missing.Count > 0)
            {
                violations.Add(string.Create(CultureInfo.InvariantCulture, $"acknowledged up to {acknowledged} but not readable back: {string.Join(", ", missing)}"));
            }
        };
        var run = Pipeline.From(source, PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);

        Assert.Null(error);
        Assert.True(violations.Count == 0, "Records were acknowledged before they were written: " + string.Join("; ", violations));
        AssertExactlyOnce(SequenceChecker.Check(await ReadBackIdsAsync(context).ConfigureAwait(false), source.Count!.Value));
    }

    /// <summary>
    /// Failed writes are never acknowledged: once the external system refuses writes, the run fails (or stalls), and
    /// every record acknowledged is readable back after the repair.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [SkippableFact]
    public virtual async Task Write_SystemFails_FailedRecordsNeverAcknowledged()
    {
        var context = NewContext();
        var source = NewSource(context, count: null);
        source.StepSize = PipelineOptions.BatchSize;
        var broken = new TaskCompletionSource<IAsyncDisposable?>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.BetweenSteps = async _ =>
        {
            if (!broken.Task.IsCompleted && source.Acknowledged >= 2L * PipelineOptions.BatchSize)
            {
                broken.TrySetResult(await BreakAsync(context).ConfigureAwait(false));
            }
        };
        var run = Pipeline.From(source, PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        await Task.WhenAny(broken.Task, run.Completion).WaitAsync(Guard).ConfigureAwait(false);
        Assert.True(broken.Task.IsCompleted, $"The run ended before the system was broken: {run.Completion.Exception?.GetBaseException().Message}");
        var repair = await broken.Task.ConfigureAwait(false);
        if (repair is null)
        {
            run.Abort();
            await CompletionOfAsync(run, context).ConfigureAwait(false);
            Skip.If(true, "The connector cannot be broken from a test (BreakAsync returns null).");
        }

        // The run should fail. A sink that keeps acknowledging while broken is caught three batches later; one that
        // retries for ever is aborted at the guard (that is no contract violation).
        var brokenAt = source.Acknowledged;
        try
        {
            await SequenceProbeSink<T>.WaitUntilAsync(() => source.Acknowledged >= brokenAt + (3L * PipelineOptions.BatchSize), run.Completion, Guard).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        run.Abort();
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);
        var acknowledged = source.Acknowledged;
        await repair.DisposeAsync().ConfigureAwait(false);
        var readable = (await ReadBackIdsAsync(context).ConfigureAwait(false)).ToHashSet();
        var missing = Enumerable.Range(0, (int)acknowledged).Where(id => !readable.Contains(id)).Take(10).ToList();

        Assert.True(missing.Count == 0, $"Acknowledged up to {acknowledged}, but these were never written: {string.Join(", ", missing)} (run error: {error?.Message})");
        Assert.True(source.Emitted > acknowledged, "Every record emitted was acknowledged although the system refused writes.");
    }

    /// <summary>
    /// A drain flushes: stopped mid-stream, the run delivers everything it read, commits it, and it is all readable back.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Stop_MidStream_DrainFlushesEverythingCommitted()
    {
        var context = NewContext();
        var source = NewSource(context, count: null);

        // The stop comes from the source itself, between two batches once three were acknowledged, however the machine
        // schedules the test (an endless source outrunning a descheduled test could fill a bounded system); the batch
        // read right after the stop is in flight when the drain starts.
        source.StepSize = PipelineOptions.BatchSize;
        PipelineRun? run = null;
        source.BetweenSteps = _ =>
        {
            if (source.Acknowledged >= 3L * source.StepSize)
            {
                run?.RequestStop();
            }

            return default;
        };
        run = Pipeline.From(source, PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);

        Assert.Null(error);
        Assert.Equal(source.Emitted, source.Acknowledged);
        Assert.Equal(source.Emitted, source.Committed);
        AssertExactlyOnce(SequenceChecker.Check(await ReadBackIdsAsync(context).ConfigureAwait(false), source.Committed));
    }

    /// <summary>
    /// A user's data is sacred: a run that fails before it writes anything (the source cannot be read) leaves what an
    /// earlier run wrote exactly as it was.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Open_RunFailsBeforeWriting_EarlierOutputUntouched()
    {
        var context = NewContext();
        var first = Pipeline.From(NewSource(context, context.RecordCount), PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        Assert.Null(await CompletionOfAsync(first, context).ConfigureAwait(false));
        var before = await ReadBackIdsAsync(context).ConfigureAwait(false);

        var failing = new FaultInjectingSource<T>(NewSource(context, context.RecordCount), new FaultOptions { FailEveryNth = 1, FailureClass = Errors.ErrorClass.Fatal });
        var second = Pipeline.From(failing, PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        var error = await CompletionOfAsync(second, context).ConfigureAwait(false);

        Assert.NotNull(error);
        var after = await ReadBackIdsAsync(context).ConfigureAwait(false);
        Assert.True(before.SequenceEqual(after), $"A run that failed before writing changed the earlier output: {before.Count} records before, {after.Count} after ({SequenceChecker.Check(after, before.Count)}).");
    }

    /// <summary>
    /// A restarted sink keeps what the earlier run wrote: two runs, each writing half the records, leave every record
    /// readable back once (skipped for sinks that replace their output by design, see <see cref="KeepsOutputAcrossRuns"/>).
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [SkippableFact]
    public virtual async Task Restart_SecondRun_KeepsWhatTheFirstWrote()
    {
        Skip.IfNot(KeepsOutputAcrossRuns, "The sink replaces its output with each run by design (KeepsOutputAcrossRuns is false).");
        var context = NewContext();
        var half = context.RecordCount / 2;
        var first = Pipeline.From(NewSource(context, half), PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        Assert.Null(await CompletionOfAsync(first, context).ConfigureAwait(false));
        var rest = new SequenceSource<T>(sequence => CreateRecord(half + sequence, context), context.RecordCount - half);
        var second = Pipeline.From(rest, PipelineOptions).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        Assert.Null(await CompletionOfAsync(second, context).ConfigureAwait(false));

        AssertExactlyOnce(SequenceChecker.Check(await ReadBackIdsAsync(context).ConfigureAwait(false), context.RecordCount));
    }

    /// <summary>Batches of any size (one record, an odd size, a full in-flight window) lose and repeat nothing at their boundaries.</summary>
    /// <param name="batchSize">The size the pipeline cuts batches to.</param>
    /// <returns>A task that completes when the test is done.</returns>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public virtual async Task Write_BatchBoundaries_EveryRecordOnce(int batchSize)
    {
        var context = NewContext();
        var options = PipelineOptions with { BatchSize = batchSize, MaxInFlightRecords = Math.Max(PipelineOptions.MaxInFlightRecords, batchSize) };
        var count = Math.Min(context.RecordCount, 150) + (batchSize / 2);
        var source = NewSource(context, count);
        var run = Pipeline.From(source, options).Batch(batchSize).To(await NextSinkAsync(context).ConfigureAwait(false)).Build().StartIn(context);
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);

        Assert.Null(error);
        AssertExactlyOnce(SequenceChecker.Check(await ReadBackIdsAsync(context).ConfigureAwait(false), count));
    }

    /// <summary>The canary secret put into the sink's settings appears in none of the records written, errors, log lines or files.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Secrets_CanaryInSettings_AbsentFromOutputsLogsAndFiles()
    {
        var context = NewContext();
        var source = NewSource(context, context.RecordCount);
        var sink = await NextSinkAsync(context).ConfigureAwait(false);
        var before = SecretScanner.Snapshot(context.Directory);
        var pipeline = Pipeline.From(source, PipelineOptions).To(sink).Build();
        var scanner = new SecretScanner();
        scanner.AddError("run error", await CompletionOfAsync(pipeline.StartIn(context), context).ConfigureAwait(false));
        foreach (var record in await ReadBackAsync(context, CancellationToken.None).ConfigureAwait(false))
        {
            scanner.AddRecord("record read back", record);
        }

        SourceContractTests<T>.AddCommon(scanner, context, sink, before);
        scanner.Add("graph", pipeline.Describe().ToString());
        await AddToSecretScanAsync(context, scanner).ConfigureAwait(false);

        var leaks = scanner.FindAll(context.Secret);
        Assert.True(leaks.Count == 0, "The canary secret leaked:\n" + string.Join("\n", leaks));
    }

    private SequenceSource<T> NewSource(ContractContext context, long? count) =>
        new(sequence => CreateRecord(sequence, context), count);

    private async ValueTask<SinkConnector<T>> NextSinkAsync(ContractContext context)
    {
        context.NextRun();
        return await CreateSinkAsync(context).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<long>> ReadBackIdsAsync(ContractContext context, CancellationToken cancellationToken = default) =>
        [.. (await ReadBackAsync(context, cancellationToken).ConfigureAwait(false)).Select(GetSequence)];

    private void AssertExactlyOnce(SequenceReport report)
    {
        if (PreservesOrder)
        {
            report.AssertExactlyOnceInOrder();
        }
        else
        {
            report.AssertExactlyOnce();
        }
    }
}
