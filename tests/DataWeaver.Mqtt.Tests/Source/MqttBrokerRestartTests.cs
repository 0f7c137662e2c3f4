using DataWeaver.Brokers.Harness;
using DataWeaver.Mqtt.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Mqtt.Tests.Source;

/// <summary>
/// The broker harness (tests/DataWeaver.Brokers.Harness: topic -> JSON-lines file) as a separate process, SIGKILLed twice and
/// its own mosquitto restarted once under its last run (the session and its queued messages kept in the persistence file):
/// nothing lost, duplicates within the in-flight bound per kill and restart.
/// </summary>
[Collection(MqttBrokerRestartCollection.Name)]
public sealed class MqttBrokerRestartTests(ITestOutputHelper log) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-mqtt-restart-").FullName;
    private MosquittoServer _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(MqttVersion.V5)]
    [InlineData(MqttVersion.V311)]
    public Task Run_KilledTwiceAndBrokerRestarted_NothingLostDuplicatesWithinTheBound(MqttVersion version) =>
        RunAsync(version, BrokerCrashOptions.Restart(log.WriteLine));

    /// <summary>The figure: 200,000 messages, two kills and a broker restart.</summary>
    [Fact]
    [Trait("Category", "Soak")]
    public Task Run_200000MessagesKilledTwiceAndBrokerRestarted_NothingLostDuplicatesWithinTheBound() =>
        RunAsync(MqttVersion.V5, BrokerCrashOptions.Soak(log.WriteLine));

    private async Task RunAsync(MqttVersion version, BrokerCrashOptions options)
    {
        var topic = "restart/" + Guid.NewGuid().ToString("N");
        var clientId = "harness-" + Guid.NewGuid().ToString("N")[..12];
        await MqttBroker.CreateSessionAsync(clientId, [topic], version, _broker.Port);
        await MqttBroker.PublishAsync(topic, BrokerCrash.Input(options.Records), _broker.Port);

        string[] settings = ["host=127.0.0.1", $"port={_broker.Port}", "topic=" + topic, "client-id=" + clientId, "version=" + version];
        var runs = await BrokerCrash.RunWithBrokerRestartAsync(_directory, "mqtt", settings, options, () => _broker.RestartAsync(TimeSpan.FromSeconds(1)));

        Assert.EndsWith("reconnections 1", runs[^1]); // the last run (killed runs write no line) lived through the restart
    }
}
