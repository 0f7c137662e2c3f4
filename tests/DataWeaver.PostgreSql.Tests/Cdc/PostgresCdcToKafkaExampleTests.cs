using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Kafka;
using DataWeaver.Kafka.Testing;
using DataWeaver.PostgreSql.Tests.Configuration;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Streams;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>docs/postgresql.md, PostgreSQL CDC to Kafka: the changes of a table as JSON messages on librdkafka's mock cluster.</summary>
public sealed class PostgresCdcToKafkaExampleTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dw-pg-cdc-kafka-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Example_PostgresCdcToKafka_EveryChangeOnTheTopicInCommitOrder()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic("order-changes", partitions: 3); // the mock cluster cannot create topics itself
        await database.ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)");
        var environment = await PostgresDefinitionFiles.EnvironmentAsync(database, _folder);
        await database.ExecuteAsync($"ALTER ROLE \"{environment["PG_USER"]}\" REPLICATION");
        await database.ExecuteAsync($"GRANT CREATE ON DATABASE \"{database.Name}\" TO \"{environment["PG_USER"]}\"; ALTER TABLE orders OWNER TO \"{environment["PG_USER"]}\"");
        environment["SLOT"] = CdcRun.SlotName("kafka");
        environment["KAFKA_BOOTSTRAP"] = cluster.BootstrapServers;
        var logs = new ListLoggerFactory();
        await using (var manager = PostgresDefinitionFiles.Manager(logs))
        {
            manager.CreatePipelines(PipelineDefinitionLoader.Parse(PostgresDefinitionFiles.Example("postgres-cdc-to-kafka"), Path.Combine(_folder, "changes.yaml"), new PipelineLoadOptions { Registry = manager.Registry, Environment = environment.GetValueOrDefault }));
            var run = manager.StartPipeline("orders-changes-to-kafka");
            await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{environment["SLOT"]}' AND active AND confirmed_flush_lsn IS NOT NULL") == 1, run);
            await database.ExecuteAsync("INSERT INTO orders SELECT i, i FROM generate_series(1, 50) i");
            await database.ExecuteAsync("UPDATE orders SET total = 0 WHERE id <= 5");
            await database.ExecuteAsync("DELETE FROM orders WHERE id = 50");
            var slot = environment["SLOT"];
            var lsn = await database.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
            await CdcRun.WaitUntilAsync(async () => await database.ScalarAsync<bool>($"SELECT confirmed_flush_lsn >= '{lsn}'::pg_lsn FROM pg_replication_slots WHERE slot_name = '{slot}'"), run); // written to Kafka and committed
            await manager.StopPipelineAsync("orders-changes-to-kafka");
        }

        var changes = new List<JsonElement>();
        await using (var kafka = new KafkaStreamFramework(new KafkaStreamOptions { BootstrapServers = cluster.BootstrapServers }))
        {
            await kafka.StartAsync();
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await foreach (var message in kafka.ConsumeStream("order-changes", new StreamConsumerOptions { GroupId = "docs-check" }, guard.Token))
            {
                changes.Add(JsonDocument.Parse(message.Value).RootElement.Clone());
                if (changes.Count == 56)
                {
                    break;
                }
            }
        }

        Assert.Equal(56, changes.Count);
        Assert.Equal(50, changes.Count(c => c.GetProperty("op").GetString() == "insert"));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), changes.Where(c => c.GetProperty("op").GetString() == "update").Select(c => c.GetProperty("after").GetProperty("id").GetInt64()).Order());
        Assert.Equal("""{"id":50}""", Assert.Single(changes, c => c.GetProperty("op").GetString() == "delete").GetProperty("key").GetRawText());
        PostgresDefinitionFiles.AssertNoSecret(logs, _folder);
    }
}
