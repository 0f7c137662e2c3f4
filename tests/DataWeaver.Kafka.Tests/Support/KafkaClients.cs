using Confluent.Kafka;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Support;

/// <summary>Builds clients whose librdkafka logs go to the test's output (kept quiet unless the test fails).</summary>
public static class KafkaClients
{
    /// <summary>A byte[]/byte[] producer.</summary>
    public static IProducer<byte[], byte[]> Producer(ProducerConfig config, ITestOutputHelper output) =>
        new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, message) => Log(output, message)).Build();

    /// <summary>A byte[]/byte[] consumer.</summary>
    public static IConsumer<byte[], byte[]> Consumer(ConsumerConfig config, ITestOutputHelper output) =>
        new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, message) => Log(output, message)).Build();

    private static void Log(ITestOutputHelper output, LogMessage message)
    {
        try
        {
            output.WriteLine($"[librdkafka {message.Level} {message.Name}] {message.Facility}: {message.Message}");
        }
        catch (InvalidOperationException)
        {
            // librdkafka's threads may log after the test ended, when xunit no longer takes output.
        }
    }
}
