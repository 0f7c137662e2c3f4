using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Testing.Crash;
using DataWeaver.Testing.Sequences;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// The contract every source connector passes. Subclass it in your test project, say how to create your source over
/// sequence-numbered records (<see cref="CreateSourceAsync"/>) and how to read a record's sequence id
/// (<see cref="ConnectorContractTests{T}.GetSequence"/>), and xUnit runs every test below against it: reading each
/// record once, resuming after a restart from the committed position, committing only acknowledged positions, draining
/// on stop, the in-flight bound under a slow sink, poison input to the dead-letter port, at least once across the kill
/// of a separate process, and a canary secret absent from everything the run produced.
/// </summary>
/// <typeparam name="T">The source's record type.</typeparam>
public abstract class SourceContractTests<T> : ConnectorContractTests<T>
{
    /// <summary>
    /// Creates the source under test over <see cref="ContractContext.RecordCount"/> records with sequence ids 0 to
    /// <c>RecordCount - 1</c>, in that order. The first call of a test (<see cref="ContractContext.Run"/> 0) also creates
    /// the records (writes the file, produces to the topic). Each later call is a restart: a new source over the same
    /// input that resumes from what the earlier sources of the test committed, wherever your connector keeps it (the
    /// context's <see cref="ContractContext.Checkpoints"/> or <see cref="ContractContext.Directory"/>, a broker's group
    /// offsets). Put <see cref="ContractContext.Secret"/> into its credentials, if it has any.
    /// </summary>
    /// <param name="context">The test's context.</param>
    /// <returns>A new source, not opened.</returns>
    protected abstract ValueTask<SourceConnector<T>> CreateSourceAsync(ContractContext context);

    /// <summary>
    /// Creates a source whose input holds poison records among the <see cref="ContractContext.RecordCount"/> good ones
    /// (an oversized line, an undecodable message), for the dead-letter test. The default returns <see langword="null"/>:
    /// the connector cannot produce poison, and the test is skipped.
    /// </summary>
    /// <param name="context">The test's context.</param>
    /// <returns>The source and its poison records, or <see langword="null"/>.</returns>
    protected virtual ValueTask<PoisonInput<T>?> CreatePoisonSourceAsync(ContractContext context) => new((PoisonInput<T>?)null);

    /// <summary>
    /// Describes a pipeline over your source running in a separate process, for the at-least-once test across kills.
    /// The default returns <see langword="null"/>, and the test is skipped.
    /// </summary>
    /// <param name="context">The test's context.</param>
    /// <returns>The scenario, or <see langword="null"/>.</returns>
    protected virtual ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context) => new((ProcessCrashScenario?)null);

    /// <summary>Adds to the secrets scan what only the subclass can see (the broker's committed metadata, a server's log). The default adds nothing.</summary>
    /// <param name="context">The test's context.</param>
    /// <param name="scanner">The scanner.</param>
    /// <returns>A task that completes once added.</returns>
    protected virtual ValueTask AddToSecretScanAsync(ContractContext context, SecretScanner scanner) => default;

    /// <summary>A run reads every record once (in order, when <see cref="ConnectorContractTests{T}.PreservesOrder"/>).</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Read_AllRecords_DeliversEachRecordOnce()
    {
        var context = NewContext();
        var source = await NextSourceAsync(context).ConfigureAwait(false);
        var probe = new SequenceProbeSink<T>(GetSequence);
        var (ids, error) = await ReadAsync(context, source, probe, context.RecordCount).ConfigureAwait(false);

        Assert.Null(error);
        AssertExactlyOnce(SequenceChecker.Check(ids, context.RecordCount));
    }

    /// <summary>
    /// Stopped while records are in flight, a run delivers and commits everything it read (a drain), and the next run
    /// resumes right after it: together the two runs deliver every record exactly once.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Stop_WhileRecordsInFlight_DrainsAndRestartResumesAfterEverythingDelivered()
    {
        var context = NewContext();
        var first = new SequenceProbeSink<T>(GetSequence, gated: true, name: "probe-1");
        var run = Pipeline.From(await NextSourceAsync(context).ConfigureAwait(false), PipelineOptions).To(first).Build().StartIn(context);
        first.Release(2);
        await SequenceProbeSink<T>.WaitUntilAsync(() => first.Count > 0 && first.Waiting > 0, run.Completion, Guard).ConfigureAwait(false);
        run.RequestStop();
        first.OpenGate();
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);
        Assert.Null(error);
        Assert.Equal(PipelineState.Stopped, run.State);
        var delivered = first.Ids;
        Assert.True(delivered.Count < context.RecordCount, $"The first run delivered all {delivered.Count} records before the stop took effect; raise RecordCount above the in-flight bound.");

        var second = new SequenceProbeSink<T>(GetSequence, name: "probe-2");
        var (rest, restError) = await ReadAsync(context, await NextSourceAsync(context).ConfigureAwait(false), second, context.RecordCount - delivered.Count).ConfigureAwait(false);

        Assert.Null(restError);
        AssertExactlyOnce(SequenceChecker.Check([.. delivered, .. rest], context.RecordCount));
    }

    /// <summary>
    /// Only acknowledged positions are committed: a sink acknowledges the first batches and then writes without
    /// acknowledging; after the run is aborted, a restarted source reads exactly the records that were not acknowledged.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Restart_AfterPartialAcknowledgement_RereadsExactlyTheUnacknowledged()
    {
        var context = NewContext();
        var first = new SequenceProbeSink<T>(GetSequence, acknowledgeLimit: 3L * PipelineOptions.BatchSize, name: "probe-1");
        var run = Pipeline.From(await NextSourceAsync(context).ConfigureAwait(false), PipelineOptions).To(first).Build().StartIn(context);
        await SequenceProbeSink<T>.WaitUntilAsync(() => first.Unacknowledged.Count > 0, run.Completion, Guard).ConfigureAwait(false);
        run.Abort();
        await CompletionOfAsync(run, context).ConfigureAwait(false);
        var unacknowledged = first.Unacknowledged.ToHashSet();
        var acknowledged = first.Ids.Where(id => !unacknowledged.Contains(id)).ToHashSet();
        Assert.NotEmpty(acknowledged);
        Assert.NotEmpty(unacknowledged);

        var expected = Enumerable.Range(0, context.RecordCount).Select(i => (long)i).Where(id => !acknowledged.Contains(id)).ToList();
        var second = new SequenceProbeSink<T>(GetSequence, name: "probe-2");
        var (reread, error) = await ReadAsync(context, await NextSourceAsync(context).ConfigureAwait(false), second, expected.Count).ConfigureAwait(false);

        Assert.Null(error);
        AssertExactlyOnce(SequenceChecker.Check(reread, expected));
    }

    /// <summary>
    /// Backpressure: under a sink that writes only when let through, the records read but not yet written never exceed
    /// the pipeline's <see cref="PipelineOptions.MaxInFlightRecords"/>, counted at every write and between writes.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Read_SlowSink_RecordsReadButNotWrittenStayWithinTheInFlightBound()
    {
        var context = NewContext();
        var probe = new SequenceProbeSink<T>(GetSequence, gated: true);
        var bound = PipelineOptions.MaxInFlightRecords;
        var run = Pipeline.From(await NextSourceAsync(context).ConfigureAwait(false), PipelineOptions).To(probe).Build().StartIn(context);
        long maxAhead = 0;
        void Sample() => InterlockedMax(ref maxAhead, run.Statistics.RecordsRead - probe.Count);
        probe.OnWrite = Sample;

        while (probe.Count < context.RecordCount && !run.Completion.IsCompleted)
        {
            await SequenceProbeSink<T>.WaitUntilAsync(() => probe.Waiting > 0 || probe.Count >= context.RecordCount, run.Completion, Guard).ConfigureAwait(false);
            await SettleAsync(() => run.Statistics.RecordsRead).ConfigureAwait(false); // let the source run ahead as far as it will
            Sample();
            probe.Release();
        }

        probe.OpenGate();
        run.RequestStop();
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);

        Assert.Null(error);
        Assert.True(maxAhead <= bound, $"Up to {maxAhead} records were read and not yet written; the in-flight bound is {bound}.");
        Assert.True(run.Statistics.PeakRecordsInFlight <= bound, $"The engine counted {run.Statistics.PeakRecordsInFlight} records in flight at the peak; the bound is {bound}.");
        Assert.True(maxAhead > 0, "The source never read ahead of the slow sink: the test proved nothing.");
        AssertExactlyOnce(SequenceChecker.Check(probe.Ids, context.RecordCount));
    }

    /// <summary>
    /// Poison input goes to the dead-letter port with its original bytes, its position and a data error class, and the
    /// good records around it are delivered once each.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [SkippableFact]
    public virtual async Task Read_PoisonInput_DeadLettersOriginalBytesAndCoordinates()
    {
        var context = NewContext();
        context.NextRun();
        var poison = await CreatePoisonSourceAsync(context).ConfigureAwait(false);
        Skip.If(poison is null, "The connector provides no poison input (CreatePoisonSourceAsync returns null).");
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var probe = new SequenceProbeSink<T>(GetSequence);
        var run = Pipeline.From(poison.Source, PipelineOptions).OnError(e => e.DeadLetterTo(letters)).To(probe).Build().StartIn(context);
        await SequenceProbeSink<T>.WaitUntilAsync(() => probe.Count >= context.RecordCount && letters.Count >= poison.Poison.Count, run.Completion, Guard).ConfigureAwait(false);
        run.RequestStop();
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);

        Assert.Null(error);
        AssertExactlyOnce(SequenceChecker.Check(probe.Ids, context.RecordCount));
        var received = letters.Records;
        Assert.Equal(poison.Poison.Count, received.Count);
        for (var i = 0; i < received.Count; i++)
        {
            var payload = received[i].Payload.ToArray();
            Assert.True(poison.Poison[i].Bytes.AsSpan().SequenceEqual(payload), $"Dead letter {i}: its payload {Convert.ToHexString(payload)} is not the original bytes {Convert.ToHexString(poison.Poison[i].Bytes)}.");
            Assert.Equal(poison.Poison[i].Position, received[i].Position);
            Assert.Equal(ErrorClass.Data, received[i].ErrorClass);
            Assert.Equal(poison.Source.Name, received[i].Source);
        }
    }

    /// <summary>
    /// At least once across crashes: a pipeline over the source in a separate process, killed with SIGKILL at random
    /// points and restarted, loses nothing, and each kill duplicates at most the in-flight bound.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [SkippableFact]
    public virtual async Task Kill_SeparateProcess_AtLeastOnceWithinTheInFlightBound()
    {
        var context = NewContext();
        var scenario = await CreateCrashScenarioAsync(context).ConfigureAwait(false);
        Skip.If(scenario is null, "The connector provides no process harness (CreateCrashScenarioAsync returns null).");
        var report = await scenario.RunAsync().ConfigureAwait(false);

        report.Sequences.AssertAtLeastOnce(scenario.Options.Kills * scenario.Options.MaxDuplicatesPerKill);
    }

    /// <summary>
    /// The canary secret put into the source's settings appears in none of the records, dead letters, errors, log
    /// lines, checkpoints or files the run produced.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public virtual async Task Secrets_CanaryInSettings_AbsentFromOutputsLogsDeadLettersAndCheckpoints()
    {
        var context = NewContext();
        context.NextRun();
        var poison = await CreatePoisonSourceAsync(context).ConfigureAwait(false);
        var source = poison?.Source ?? await CreateSourceAsync(context).ConfigureAwait(false);
        var input = SecretScanner.Snapshot(context.Directory);
        var scanner = new SecretScanner();
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var probe = new SequenceProbeSink<T>(GetSequence) { Inspect = record => scanner.AddRecord("record", record) };
        var pipeline = Pipeline.From(source, PipelineOptions).OnError(e => e.DeadLetterTo(letters)).To(probe).Build();
        var run = pipeline.StartIn(context);
        await SequenceProbeSink<T>.WaitUntilAsync(() => probe.Count >= context.RecordCount && letters.Count >= (poison?.Poison.Count ?? 0), run.Completion, Guard).ConfigureAwait(false);
        run.RequestStop();
        scanner.AddError("run error", await CompletionOfAsync(run, context).ConfigureAwait(false));

        foreach (var letter in letters.Records)
        {
            scanner.AddDeadLetter("dead letter", letter);
        }

        AddCommon(scanner, context, source, input);
        scanner.Add("graph", pipeline.Describe().ToString());
        await AddToSecretScanAsync(context, scanner).ConfigureAwait(false);

        Assert.True(probe.Count >= context.RecordCount, $"The run delivered {probe.Count} of {context.RecordCount} records.");
        var leaks = scanner.FindAll(context.Secret);
        Assert.True(leaks.Count == 0, "The canary secret leaked:\n" + string.Join("\n", leaks));
    }

    /// <summary>Adds what every contract run leaves behind to a scan: log lines, checkpoints, files, the connector's name.</summary>
    /// <param name="scanner">The scanner.</param>
    /// <param name="context">The test's context.</param>
    /// <param name="connector">The connector.</param>
    /// <param name="before">The files of the context's folder before the run: the input, left out.</param>
    internal static void AddCommon(SecretScanner scanner, ContractContext context, Connector connector, IReadOnlyDictionary<string, (long Length, DateTime LastWrite)> before)
    {
        foreach (var line in context.LogLines)
        {
            scanner.Add("log", line);
        }

        foreach (var (key, positions) in context.Checkpoints.Saves)
        {
            scanner.Add("checkpoint key", key);
            scanner.Add("checkpoint", string.Join(",", positions));
        }

        scanner.AddFiles(context.Directory, before);
        scanner.Add("connector name", connector.Name);
        scanner.Add("connector", connector.ToString());
    }

    /// <summary>Waits until a counter stops moving for a few polls (the source has read as far as it will).</summary>
    /// <param name="counter">The counter.</param>
    /// <returns>A task that completes once it settled (or after 200 polls).</returns>
    internal static async Task SettleAsync(Func<long> counter)
    {
        var last = counter();
        for (int stable = 0, polls = 0; stable < 4 && polls < 200; polls++)
        {
            await Task.Delay(5).ConfigureAwait(false);
            var now = counter();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }

    private async ValueTask<SourceConnector<T>> NextSourceAsync(ContractContext context)
    {
        context.NextRun();
        return await CreateSourceAsync(context).ConfigureAwait(false);
    }

    /// <summary>Runs source -> probe until the probe has <paramref name="count"/> records (or the run ends), then drains.</summary>
    private async Task<(IReadOnlyList<long> Ids, Exception? Error)> ReadAsync(ContractContext context, SourceConnector<T> source, SequenceProbeSink<T> probe, int count)
    {
        var run = Pipeline.From(source, PipelineOptions).To(probe).Build().StartIn(context);
        await SequenceProbeSink<T>.WaitUntilAsync(() => probe.Count >= count, run.Completion, Guard).ConfigureAwait(false);
        await SettleAsync(() => probe.Count).ConfigureAwait(false); // a record delivered twice shows up before the stop
        run.RequestStop();
        var error = await CompletionOfAsync(run, context).ConfigureAwait(false);
        return (probe.Ids, error);
    }

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
