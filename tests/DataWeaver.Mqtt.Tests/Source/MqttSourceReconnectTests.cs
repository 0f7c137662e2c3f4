using DataWeaver.Brokers.Harness;
using DataWeaver.Mqtt.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Sequences;
using Xunit.Abstractions;

namespace DataWeaver.Mqtt.Tests.Source;

/// <summary>The MQTT source under a broker restart (its own mosquitto): reconnects, loses nothing, duplicates at most what was in flight.</summary>
[Collection(MqttBrokerRestartCollection.Name)]
public sealed class MqttSourceReconnectTests(ITestOutputHelper log) : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private MosquittoServer _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoServer.StartAsync(logAll: true);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    /// <summary>
    /// A slow sink holds the pipeline full and the source has received as many messages as it may (its buffer full) when the
    /// broker restarts: the source reconnects, and what it hands the pipeline again is at most what was in flight.
    /// </summary>
    [Theory]
    [InlineData(MqttVersion.V5)]
    [InlineData(MqttVersion.V311)]
    public async Task Read_BrokerRestartedWhileTheSourceIsFull_ReconnectsLosesNothingDuplicatesWithinTheBound(MqttVersion version)
    {
        const int Records = 1_000;
        const int Bound = 64;
        var topic = "reconnect/" + Guid.NewGuid().ToString("N");
        var clientId = "reconnect-" + Guid.NewGuid().ToString("N")[..12];
        await MqttBroker.CreateSessionAsync(clientId, [topic], version, _broker.Port);
        await MqttBroker.PublishAsync(topic, Enumerable.Range(0, Records).Select(i => MqttBroker.Json(i)), _broker.Port);
        var source = new MqttSource(new MqttSourceOptions { Connection = MqttBroker.Connection(clientId, version, _broker.Port), Topics = [topic], MaxInFlight = Bound });
        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => MqttBroker.Id(r.Value.Span), gated: true);
        var options = new PipelineOptions { BatchSize = 16, MaxInFlightRecords = Bound, DefaultStageCapacity = 16, CommitInterval = TimeSpan.Zero };
        var run = Pipeline.From(source, options).To(probe).Build().Start();
        // Writes go through one at a time until 64 records were written (a fixed number of writes could carry fewer: batches
        // never wait to fill up), then the source fills up to its bound while the sink waits.
        await GatedProbes.ReleaseUntilAsync(probe, () => probe.Count >= 64, run.Completion, Guard);
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Waiting > 0 && source.Unacknowledged >= Bound, run.Completion, Guard);
        var before = probe.Count;

        await _broker.RestartAsync(TimeSpan.FromMilliseconds(500));
        probe.OpenGate();
        try
        {
            await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Ids.Distinct().Count() >= Records, run.Completion, Guard);
        }
        catch (TimeoutException)
        {
            log.WriteLine($"stalled: written {probe.Count} ({probe.Ids.Distinct().Count()} distinct), sink waiting {probe.Waiting}, source unacknowledged {source.Unacknowledged}, reconnections {source.Reconnections}, peak unacknowledged {source.PeakUnacknowledged}, state {run.State}");
            log.WriteLine(_broker.Log(200));
            throw;
        }

        run.RequestStop();
        await run.Completion.WaitAsync(Guard);

        var report = SequenceChecker.Check(probe.Ids, Records);
        log.WriteLine($"written before the restart {before}; {report}; reconnections {source.Reconnections}, peak unacknowledged {source.PeakUnacknowledged}");
        Assert.Equal(1, source.Reconnections);
        // Before the fix the source held MaxInFlight messages in its buffer beyond the MaxInFlight in the pipeline (a peak of
        // 2 x 64 + 1 unacknowledged), and handed that buffer to the pipeline after the connection was gone: 82 to 97 duplicates.
        Assert.InRange(source.PeakUnacknowledged, 1, Bound);
        report.AssertAtLeastOnce(Bound);
    }
}
