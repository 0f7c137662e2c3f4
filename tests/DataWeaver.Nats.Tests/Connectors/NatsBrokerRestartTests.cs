using DataWeaver.Brokers.Harness;
using DataWeaver.Nats.Tests.Support;
using NATS.Client.JetStream.Models;
using Xunit.Abstractions;

namespace DataWeaver.Nats.Tests.Connectors;

/// <summary>
/// The broker harness (tests/DataWeaver.Brokers.Harness: stream -> JSON-lines file) as a separate process, SIGKILLed twice and
/// its own nats-server restarted once under its last run: nothing lost, duplicates within the in-flight bound per kill and restart.
/// </summary>
[Collection(NatsBrokerRestartCollection.Name)]
public sealed class NatsBrokerRestartTests(ITestOutputHelper log) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-nats-restart-").FullName;
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public Task Run_KilledTwiceAndBrokerRestarted_NothingLostDuplicatesWithinTheBound() => RunAsync(BrokerCrashOptions.Restart(log.WriteLine));

    /// <summary>The figure: 200,000 messages, two kills and a broker restart.</summary>
    [Fact]
    [Trait("Category", "Soak")]
    public Task Run_200000MessagesKilledTwiceAndBrokerRestarted_NothingLostDuplicatesWithinTheBound() => RunAsync(BrokerCrashOptions.Soak(log.WriteLine));

    private async Task RunAsync(BrokerCrashOptions options)
    {
        var stream = NatsServer.Unique("restart");
        var input = BrokerCrash.Input(options.Records).ToArray();
        await using (var nats = await _server.FrameworkAsync())
        {
            await nats.JetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
            await nats.PublishBatchAsync(input.Length, _ => stream + ".in", i => input[i], _ => null, stream, default);
        }

        // Deliveries lost in the restart come back after ack_wait (docs/nats.md): a short one keeps the test short.
        string[] settings = ["url=" + _server.Url, "stream=" + stream, "durable=harness", "ack-wait=3"];
        await BrokerCrash.RunWithBrokerRestartAsync(_directory, "nats", settings, options, async () =>
        {
            await _server.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            await _server.RestartAsync();
        });
    }
}

/// <summary>
/// The restart tests run alone: in parallel with them (three harness runs, a second nats-server) the source's own
/// server-restart test (<see cref="NatsSourceTests.Run_ServerRestartedMidRun_ReconnectsAndLosesNothing"/>) once missed its
/// 60 s guard in a full run on two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NatsBrokerRestartCollection
{
    public const string Name = "NATS broker restarts";
}
