using System.Text.Json.Nodes;
using Confluent.Kafka;
using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Kafka.Testing;

namespace DataWeaver.Docs.Tests.HowDoI;

/// <summary>"Read from Kafka and write to Kafka": the printed file, against librdkafka's mock cluster.</summary>
public sealed class KafkaToKafkaTests
{
    /// <summary>A guard against a hang while waiting for the output topic, not a measurement.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static readonly string[] Countries = ["DE", "US", "JP", "FR"];

    [Fact]
    public async Task KafkaToKafka_OrdersTopic_BigOrdersWithRegionKeyedByCustomerOnTheOutputTopic()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic("orders", partitions: 3);
        cluster.CreateTopic("big-orders", partitions: 3);
        var orders = Enumerable.Range(0, 200)
            .Select(i => new JsonObject { ["id"] = i, ["customer"] = $"c{i % 7}", ["amount"] = i * 7 % 250, ["country"] = Countries[i % 4] })
            .ToList();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            foreach (var order in orders)
            {
                producer.Produce("orders", new Message<Null, string> { Value = order.ToJsonString() });
            }

            producer.Flush(HangGuard);
        }

        using var folder = new WorkingFolder();
        var file = folder.Write("kafka-to-kafka.yaml", HowDoIPage.Block("file", "kafka-to-kafka.yaml"));
        var expected = orders.Where(o => (int)o["amount"]! >= 100).ToDictionary(o => (int)o["id"]!);
        var received = new Dictionary<int, (string? Key, JsonNode Value)>();
        await using (var manager = new PipelineManager(new PipelineManagerOptions
        {
            Registry = ConnectorRegistry.CreateDefault().AddKafka(),
            Environment = name => name == "KAFKA_BOOTSTRAP" ? cluster.BootstrapServers : null,
        }))
        {
            manager.LoadFile(file);
            manager.StartPipeline("enrich-orders");
            await Task.Run(() => ReadOutput(cluster.BootstrapServers, expected.Count, received));
            await manager.StopPipelineAsync("enrich-orders");
        }

        Assert.Equal(expected.Keys.Order(), received.Keys.Order());
        foreach (var (id, (key, value)) in received)
        {
            var order = expected[id];
            Assert.Equal((string)order["customer"]!, key);
            Assert.Equal((int)order["amount"]!, (int)value["amount"]!);
            Assert.Equal((string)order["country"]! switch { "DE" or "FR" => "EMEA", "US" => "AMER", _ => "APAC" }, (string)value["region"]!);
        }
    }

    /// <summary>Reads big-orders from the beginning of every partition, without a group, until the count is reached.</summary>
    private static void ReadOutput(string bootstrapServers, int count, Dictionary<int, (string? Key, JsonNode Value)> received)
    {
        using var consumer = new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "how-do-i-check",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset("big-orders", p, Offset.Beginning)));
        using var guard = new CancellationTokenSource(HangGuard);
        while (received.Count < count)
        {
            var result = consumer.Consume(guard.Token);
            var value = JsonNode.Parse(result.Message.Value)!;
            received[(int)value["id"]!] = (result.Message.Key, value);
        }
    }
}
