using DataWeaver.Brokers.Harness;
using DataWeaver.RabbitMq.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.RabbitMq.Tests.Source;

/// <summary>
/// The broker harness (tests/DataWeaver.Brokers.Harness: queue -> JSON-lines file) as a separate process, SIGKILLed twice and
/// the broker restarted once under its last run: nothing lost, duplicates within the in-flight bound per kill and restart.
/// </summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class RabbitMqBrokerRestartTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-rabbitmq-restart-").FullName;

    [Fact]
    public Task Run_KilledTwiceAndBrokerRestarted_NothingLostDuplicatesWithinTheBound() => RunAsync(BrokerCrashOptions.Restart(log.WriteLine));

    /// <summary>The figure: 200,000 messages, two kills and a broker restart.</summary>
    [Fact]
    [Trait("Category", "Soak")]
    public Task Run_200000MessagesKilledTwiceAndBrokerRestarted_NothingLostDuplicatesWithinTheBound() => RunAsync(BrokerCrashOptions.Soak(log.WriteLine));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task RunAsync(BrokerCrashOptions options)
    {
        var queue = RabbitMqBroker.UniqueName("restart-harness");
        await RabbitMqBroker.CreateQueueAsync(queue);
        await RabbitMqBroker.PublishAsync(queue, BrokerCrash.Input(options.Records));

        var runs = await BrokerCrash.RunWithBrokerRestartAsync(
            _directory, "rabbitmq", ["host=127.0.0.1", "port=5672", "queue=" + queue], options, () => RabbitMqBroker.RestartAsync(TimeSpan.FromSeconds(1)));

        Assert.EndsWith("reconnections 1", runs[^1]); // the last run (killed runs write no line) lived through the restart
        Assert.Equal(0u, await RabbitMqBroker.ReadyAsync(queue));
    }
}
