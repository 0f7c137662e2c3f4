using Confluent.Kafka;

namespace DataWeaver.Kafka;

/// <summary>
/// Builds every Confluent client DataWeaver uses, the same way: librdkafka's log lines and error events go, scrubbed, to
/// <see cref="KafkaStreamOptions.LogHandler"/>, and a configuration error becomes a scrubbed
/// <see cref="Errors.PipelineConfigurationException"/>.
/// </summary>
internal static class KafkaClientFactory
{
    public static IProducer<byte[], byte[]> Producer(ProducerConfig config, KafkaStreamOptions options, string what = "producer") =>
        Build(() => new ProducerBuilder<byte[], byte[]>(config).SetLogHandler(KafkaSecrets.LogHandler(options)).SetErrorHandler(KafkaSecrets.ErrorHandler(options)).Build(), what);

    public static IConsumer<byte[], byte[]> Consumer(
        ConsumerConfig config, KafkaStreamOptions options, Func<ConsumerBuilder<byte[], byte[]>, ConsumerBuilder<byte[], byte[]>>? configure = null)
    {
        return Build(
            () =>
            {
                var builder = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler(KafkaSecrets.LogHandler(options)).SetErrorHandler(KafkaSecrets.ErrorHandler(options));
                return (configure?.Invoke(builder) ?? builder).Build();
            },
            "consumer");
    }

    public static IAdminClient Admin(AdminClientConfig config, KafkaStreamOptions options) =>
        Build(() => new AdminClientBuilder(config).SetLogHandler(KafkaSecrets.LogHandler(options)).SetErrorHandler(KafkaSecrets.ErrorHandler(options)).Build(), "admin client");

    private static T Build<T>(Func<T> build, string what)
    {
        try
        {
            return build();
        }
        catch (Exception exception) when (exception is ArgumentException or KafkaException or InvalidOperationException)
        {
            throw new Errors.PipelineConfigurationException($"Creating the Kafka {what} failed: {KafkaSecrets.Scrub(exception.Message)}");
        }
    }
}
