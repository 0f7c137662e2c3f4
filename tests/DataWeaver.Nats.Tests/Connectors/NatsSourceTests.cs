using System.Text;
using DataWeaver.Brokers.Harness;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Nats.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Testing.Contracts;
using NATS.Client.JetStream.Models;
using Xunit.Abstractions;

namespace DataWeaver.Nats.Tests.Connectors;

/// <summary>
/// The NATS source against a real nats-server: restarts, poison messages and the acknowledgement bound. Its tests restart
/// their server under 60 s guards, so they run alone like the harness restart tests (beside other tests, under load, a
/// restart test missed its guard).
/// </summary>
[Collection(NatsBrokerRestartCollection.Name)]
public sealed class NatsSourceTests(ITestOutputHelper log) : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Run_EngineStoppedAbruptlyAndServerRestarted_NothingLostDuplicatesWithinBound()
    {
        const int Records = 5_000;
        const int Bound = 256;
        var stream = NatsServer.Unique("restart");
        var options = new PipelineOptions { BatchSize = 64, MaxInFlightRecords = Bound, CommitInterval = TimeSpan.Zero };
        var seen = new List<long>();

        await using (var setup = await _server.FrameworkAsync())
        {
            await CreateAsync(setup, stream, Records);
        }

        // Run 1: stops after ~1,500 records without a drain (the framework is disposed under it: a crash of the engine).
        var first = await _server.FrameworkAsync();
        var probe1 = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => NatsServer.Id(r.Value.Span));
        var run1 = Pipeline.From(Source(first, stream, Bound), options).To(probe1).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe1.Count >= 1_500, run1.Completion, Guard);
        await first.DisposeAsync();
        await Task.WhenAny(run1.Completion, Task.Delay(Guard));
        seen.AddRange(probe1.Ids);

        // The broker restarts between the runs (its store kept).
        await _server.RestartAsync();

        // Run 2: resumes at the acknowledgement floor, reads to the end.
        await using var second = await _server.FrameworkAsync();
        var probe2 = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => NatsServer.Id(r.Value.Span));
        var run2 = Pipeline.From(Source(second, stream, Bound), options).To(probe2).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe2.Ids.Contains(Records - 1), run2.Completion, Guard);
        run2.RequestStop();
        await run2.Completion;
        seen.AddRange(probe2.Ids);

        var missing = Enumerable.Range(0, Records).Select(i => (long)i).Except(seen).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} records lost, first {string.Join(",", missing.Take(5))}.");
        // Read again: what was in flight (the bound) plus what the sink had written since the last completed commit
        // (continuous commits each wait for the server's confirmation, so a few batches may be uncommitted at the crash).
        var duplicates = seen.Count - Records;
        Assert.InRange(duplicates, 0, 3 * Bound);
        Assert.Equal(probe2.Ids.Order(), probe2.Ids); // stream order within the run
    }

    [Fact]
    public async Task Run_ServerRestartedMidRun_ReconnectsAndLosesNothing()
    {
        const int Records = 3_000;
        var stream = NatsServer.Unique("midrun");
        using var clientLog = new ListLoggerFactory();
        // Deliveries lost in the restart come back after ack_wait: a short one keeps the test short.
        await using var nats = await _server.FrameworkAsync(_server.Options() with { AckWait = TimeSpan.FromSeconds(3), ClientLoggerFactory = clientLog });
        await CreateAsync(nats, stream, Records);
        var options = new PipelineOptions { BatchSize = 32, MaxInFlightRecords = 128, CommitInterval = TimeSpan.Zero };
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => NatsServer.Id(r.Value.Span), gated: true);
        var source = Source(nats, stream, 128);
        var run = Pipeline.From(source, options)
            .To(probe).OnError(e => e.Retry(50, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)))
            .Build().Start();
        try
        {
            // Writes one at a time until 200 records went through (a batch never waits to fill up: a fixed number of
            // writes can carry fewer), then the restart comes while the sink holds the pipeline full.
            await GatedProbes.ReleaseUntilAsync(probe, () => probe.Count >= 200, run.Completion, Guard);
            log.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} restart");
            await _server.RestartAsync();
            log.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} restarted");
            probe.OpenGate();
            await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Ids.Contains(Records - 1), run.Completion, Guard);
        }
        catch (TimeoutException)
        {
            log.WriteLine($"stalled: written {probe.Count} ({probe.Ids.Distinct().Count()} distinct), waiting {probe.Waiting}, state {run.State}, source: {source.Diagnostics}");
            try
            {
                var info = (await nats.JetStream.GetConsumerAsync(stream, "dataweaver")).Info;
                log.WriteLine($"server: delivered {info.Delivered.StreamSeq}, ack floor {info.AckFloor.StreamSeq}, ack pending {info.NumAckPending}, pending {info.NumPending}, waiting {info.NumWaiting}, redelivered {info.NumRedelivered}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.WriteLine("consumer info failed: " + e.Message);
            }

            foreach (var line in clientLog.Lines.Where(l => !l.Contains("Trace", StringComparison.Ordinal)).TakeLast(300))
            {
                log.WriteLine(line);
            }

            throw;
        }

        run.RequestStop();
        await Task.WhenAny(run.Completion, Task.Delay(Guard));

        var missing = Enumerable.Range(0, Records).Select(i => (long)i).Except(probe.Ids).Count();
        Assert.Equal(0, missing);
    }

    /// <summary>
    /// A commit made while the server is down completes or is retried, and delivery goes on. Before
    /// the fix the consumer forgot the messages before sending their acknowledgement: the retry sent nothing, the server kept
    /// max_ack_pending messages unacknowledged and delivered nothing new, and the consumer dropped the redeliveries as still
    /// in the pipeline (the server-restart test's stall).
    /// </summary>
    [Fact]
    public async Task Commit_ServerDownDuringTheAcknowledgement_RetryAcknowledgesAndDeliveryGoesOn()
    {
        const int Bound = 16;
        var topic = NatsServer.Unique("ackretry");
        using var clientLog = new ListLoggerFactory();
        await using var nats = await _server.FrameworkAsync(_server.Options() with { MaxAckPending = Bound, OperationTimeout = TimeSpan.FromSeconds(2), ClientLoggerFactory = clientLog });
        await nats.CreateStreamAsync(topic);
        await nats.ProduceMessagesAsync(topic, Enumerable.Range(0, 3 * Bound).Select(i => new OutgoingMessage(default, NatsServer.Json(i))).ToArray());
        await using var consumer = await nats.ConsumeStreamAsync(topic, new StreamConsumerOptions { GroupId = "g" });
        Assert.Equal(Enumerable.Range(0, Bound).Select(i => (long)i), await ReadAsync(consumer, Bound));

        await _server.StopAsync();
        // NATS.Net holds a request made while disconnected until it reconnects; the server, just started, may not answer it
        // (JetStream not ready yet: no responders, or a timeout), and the engine retries the commit.
        var first = consumer.CommitAsync([new SourcePosition(0, Bound)]).AsTask();
        await _server.RestartAsync();
        var retries = 0;
        try
        {
            await first;
        }
        catch (DataWeaverException e) when (e.ErrorClass == ErrorClass.Transient)
        {
            retries++;
        }

        while (true)
        {
            try
            {
                await consumer.CommitAsync([new SourcePosition(0, Bound)]); // the engine retries a transient commit failure
                break;
            }
            catch (DataWeaverException e) when (e.ErrorClass == ErrorClass.Transient && ++retries < 100)
            {
                await Task.Delay(100);
            }
        }

        log.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} committed after {retries} retries");
        try
        {
            Assert.Equal(Enumerable.Range(Bound, Bound).Select(i => (long)i), await ReadAsync(consumer, Bound));
        }
        catch (OperationCanceledException)
        {
            var info = (await nats.JetStream.GetConsumerAsync(NatsNames.Stream(nats.Options, topic, 0), NatsNames.Durable("g"))).Info;
            log.WriteLine($"stalled: {((NatsStreamConsumer)consumer).Diagnostics}; server: delivered {info.Delivered.StreamSeq}, ack floor {info.AckFloor.StreamSeq}, ack pending {info.NumAckPending}, pending {info.NumPending}, waiting {info.NumWaiting}, redelivered {info.NumRedelivered}");
            foreach (var line in clientLog.Lines.Where(l => !l.Contains("Trace", StringComparison.Ordinal)).TakeLast(300))
            {
                log.WriteLine(line);
            }

            throw;
        }

        var committed = (await consumer.GetCommittedOffsetsAsync()).Single().Offset;
        Assert.True(committed == Bound, $"committed {committed}; {((NatsStreamConsumer)consumer).Diagnostics}; retries {retries}");
    }

    private static async Task<List<long>> ReadAsync(IStreamConsumer consumer, int count)
    {
        var ids = new List<long>();
        using var guard = new CancellationTokenSource(Guard);
        while (ids.Count < count && await consumer.WaitToConsumeAsync(guard.Token))
        {
            while (ids.Count < count && consumer.TryConsume(out var message))
            {
                ids.Add(NatsServer.Id(message.Value.Span));
            }
        }

        return ids;
    }

    [Fact]
    public async Task Run_PoisonMessage_DeadLetteredWithStreamSequenceAndAcknowledgedNeverRedelivered()
    {
        var stream = NatsServer.Unique("poison");
        await using var nats = await _server.FrameworkAsync();
        await nats.JetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
        byte[] poison = [0xFF, 0x00, (byte)'{'];
        var payloads = Enumerable.Range(0, 100).Select(i => NatsServer.Json(i)).ToList();
        payloads.Insert(50, poison); // stream sequence 51
        await nats.PublishBatchAsync(payloads.Count, _ => stream + ".in", i => payloads[i], _ => null, stream, default);

        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var sink = new CollectionSink<long>("ids");
        var source = Source(nats, stream, 64);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 16, MaxInFlightRecords = 64, CommitInterval = TimeSpan.Zero })
            .Map(r => Decode(r.Value.Span), "decode").OnError(e => e.DeadLetterTo(letters))
            .To(sink).Build().Start();
        await SequenceProbeSink<long>.WaitUntilAsync(() => sink.Count >= 100 && letters.Count >= 1, run.Completion, Guard);
        run.RequestStop();
        await run.Completion;

        var letter = Assert.Single(letters.Records);
        Assert.Equal(new SourcePosition(0, 50), letter.Position); // offset 50 = stream sequence 51
        Assert.Equal("nats:" + stream, letter.Source);
        Assert.Equal(ErrorClass.Data, letter.ErrorClass);
        Assert.Equal(poison, letter.Payload.ToArray());
        var consumer = await nats.JetStream.GetConsumerAsync(stream, "dataweaver");
        Assert.Equal(101UL, consumer.Info.AckFloor.StreamSeq); // acknowledged past the poison
        Assert.Equal(0, consumer.Info.NumAckPending);
        Assert.Equal(0, consumer.Info.NumRedelivered);

        // A new run of the group gets nothing again.
        var again = new CollectionSink<Record<ReadOnlyMemory<byte>>>("again");
        var rerun = Pipeline.From(Source(nats, stream, 64)).To(again).Build().Start();
        await Task.Delay(500);
        rerun.RequestStop();
        await rerun.Completion;
        Assert.Equal(0, again.Count);
    }

    [Fact]
    public async Task Run_SlowSink_UnacknowledgedNeverAboveBoundServerHoldsTheRest()
    {
        const int Bound = 64;
        const int Records = 2_000;
        var stream = NatsServer.Unique("slow");
        await using var nats = await _server.FrameworkAsync();
        await CreateAsync(nats, stream, Records);
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => NatsServer.Id(r.Value.Span), gated: true);
        var source = Source(nats, stream, Bound);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 16, MaxInFlightRecords = Bound, CommitInterval = TimeSpan.Zero })
            .To(probe).Build().Start();

        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Waiting > 0, run.Completion, Guard);
        long maxLocal = 0, maxServer = 0, minHeld = long.MaxValue;
        while (probe.Count < Records)
        {
            probe.Release();
            await Task.Delay(2);
            var info = (await nats.JetStream.GetConsumerAsync(stream, "dataweaver")).Info;
            maxLocal = Math.Max(maxLocal, source.Unacknowledged);
            maxServer = Math.Max(maxServer, info.NumAckPending);
            if (probe.Count < Records / 2)
            {
                minHeld = Math.Min(minHeld, (long)info.NumPending);
            }

            Assert.False(run.Completion.IsCompleted, "the run ended early");
        }

        probe.OpenGate();
        run.RequestStop();
        await run.Completion;

        Assert.InRange(maxServer, 1, Bound);
        Assert.InRange(maxLocal, 1, Bound);
        Assert.True(minHeld >= Records / 2 - Bound, $"The server held only {minHeld} messages back while the sink was slow.");
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), probe.Ids);
    }

    internal static async Task CreateAsync(NatsStreamFramework nats, string stream, int records)
    {
        await nats.JetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
        for (var start = 0; start < records; start += 1000)
        {
            var count = Math.Min(1000, records - start);
            await nats.PublishBatchAsync(count, _ => stream + ".in", i => NatsServer.Json(start + i), _ => null, stream, default);
        }
    }

    private static NatsSource Source(NatsStreamFramework nats, string stream, int bound) =>
        new(nats, new NatsSourceOptions { Stream = stream, MaxAckPending = bound });

    private static long Decode(ReadOnlySpan<byte> value)
    {
        try
        {
            return NatsServer.Id(value);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new DataWeaverException(ErrorClass.Data, "undecodable message: " + Encoding.ASCII.GetString(value).Length + " bytes");
        }
    }
}
