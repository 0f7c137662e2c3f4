using System.Collections.Concurrent;
using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Kafka;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Kafka.Testing;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Streams;
using Microsoft.Extensions.Logging;

namespace DataWeaver.PostgreSql.Tests.Configuration;

/// <summary>The definition-file examples of docs/postgresql.md, run as written (the password a secret from the environment).</summary>
public static class PostgresDefinitionFiles
{
    public const string Password = "pw-canary-5150";

    public static string Example(string name)
    {
        var markdown = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "postgresql.md"));
        var start = markdown.IndexOf("```yaml\n", markdown.IndexOf($"<!-- postgres-example: {name} -->", StringComparison.Ordinal), StringComparison.Ordinal) + "```yaml\n".Length;
        return markdown[start..markdown.IndexOf("```", start, StringComparison.Ordinal)];
    }

    public static PipelineManager Manager(ILoggerFactory logs) => new(new PipelineManagerOptions
    {
        Registry = ConnectorRegistry.CreateDefault().AddKafka().AddPostgreSql(),
        Factory = new PipelineFactoryOptions { LoggerFactory = logs },
    });

    public static async Task<Dictionary<string, string>> EnvironmentAsync(PostgresDatabase database, string output)
    {
        var user = new Npgsql.NpgsqlConnectionStringBuilder(await database.CreateUserAsync(Password));
        return new Dictionary<string, string>
        {
            ["PG_HOST"] = user.Host!, ["PG_DATABASE"] = database.Name, ["PG_USER"] = user.Username!, ["PG_PASSWORD"] = Password, ["OUT"] = output,
        };
    }

    public static void AssertNoSecret(ListLoggerFactory logs, string folder)
    {
        Assert.DoesNotContain(logs.Lines, line => line.Contains(Password, StringComparison.Ordinal));
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Password, File.ReadAllText(file), StringComparison.Ordinal);
            Assert.DoesNotContain(Password, file, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataWeaver.Engine.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}

/// <summary>docs/postgresql.md, Kafka to PostgreSQL: upserts, a tombstone, a refused record dead-lettered; on librdkafka's mock cluster.</summary>
public sealed class PostgresKafkaToPostgresExampleTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dw-pg-kafka-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Example_KafkaToPostgres_TableHoldsTheLastValuePerKeyTombstoneDeletesRefusedRecordDeadLettered()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic("orders", partitions: 2);
        await database.ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL CHECK (total >= 0), note text)");
        await using (var kafka = new KafkaStreamFramework(new KafkaStreamOptions { BootstrapServers = cluster.BootstrapServers }))
        {
            await kafka.StartAsync();
            var messages = Enumerable.Range(0, 100).Select(i => (i, $"{{\"id\":{i},\"total\":{i},\"note\":\"n{i}\"}}"))
                .Concat(Enumerable.Range(0, 10).Select(i => (i, $"{{\"id\":{i},\"total\":{1000 + i}}}"))) // updates: the note goes back to NULL
                .Append((50, """{"id":50,"__deleted":true}"""))
                .Append((200, """{"id":200,"total":-5}"""));
            foreach (var (key, value) in messages)
            {
                await kafka.ProduceMessageAsync("orders", $"{key}", value); // one key, one partition: per-key order kept
            }
        }

        var environment = await PostgresDefinitionFiles.EnvironmentAsync(database, _folder);
        environment["KAFKA_BOOTSTRAP"] = cluster.BootstrapServers;
        var logs = new ListLoggerFactory();
        await using var manager = PostgresDefinitionFiles.Manager(logs);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(PostgresDefinitionFiles.Example("kafka-to-postgres"), "orders.yaml", new PipelineLoadOptions { Registry = manager.Registry, Environment = environment.GetValueOrDefault }));
        var run = manager.StartPipeline("orders-to-postgres");
        var deadLetters = Path.Combine(_folder, "orders.dead.jsonl");
        var guard = Task.Delay(TimeSpan.FromMinutes(1));
        while (!guard.IsCompleted && !run.Completion.IsCompleted
            && (await database.ScalarAsync<long>("SELECT count(*) FROM orders WHERE id = 50 OR (id < 10 AND total < 1000)") > 0 || !File.Exists(deadLetters) || File.ReadAllText(deadLetters).Length == 0))
        {
            await Task.Delay(50);
        }

        await manager.StopPipelineAsync("orders-to-postgres");

        var rows = await database.QueryAsync("SELECT id, total, note FROM orders ORDER BY id");
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i != 50).Select(i => (long)i), rows.Select(r => (long)r[0]!));
        Assert.All(rows, r => Assert.Equal((long)r[0]! < 10 ? 1000 + (long)r[0]! : (long)r[0]!, (decimal)r[1]!));
        Assert.All(rows, r => Assert.Equal((long)r[0]! < 10 ? null : $"n{r[0]}", r[2]));
        var letter = JsonDocument.Parse(Assert.Single(File.ReadAllLines(deadLetters))).RootElement;
        Assert.Equal("""{"id":200,"total":-5}""", letter.GetProperty("payload").GetRawText());
        Assert.Equal("Data", letter.GetProperty("error").GetProperty("class").GetString());
        Assert.Contains("23514: new row for relation \"orders\" violates check constraint \"orders_total_check\"", letter.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        PostgresDefinitionFiles.AssertNoSecret(logs, _folder);
    }
}

/// <summary>docs/postgresql.md, PostgreSQL to a file: two runs, the second appends only what changed since the first.</summary>
public sealed class PostgresToFileExampleTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dw-pg-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Example_PostgresToFile_SecondRunAppendsOnlyRowsBeyondTheCheckpointIncludingTiesOfTheLastTimestamp()
    {
        await database.ExecuteAsync("""
            CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL, total numeric);
            INSERT INTO orders SELECT i, timestamptz '2026-12-07 08:00:00+00' + (i / 4) * interval '1 second', i * 1.5 FROM generate_series(1, 2500) i;
            """);
        var environment = await PostgresDefinitionFiles.EnvironmentAsync(database, _folder);
        var logs = new ListLoggerFactory();
        var output = Path.Combine(_folder, "orders.jsonl");

        await RunAsync(environment, logs);
        var first = File.ReadAllLines(output);
        await database.ExecuteAsync("""
            INSERT INTO orders VALUES (2501, timestamptz '2026-12-07 08:10:25+00', 1), (2502, timestamptz '2026-12-07 08:10:25+00', 2);
            UPDATE orders SET total = 0, updated_at = timestamptz '2026-12-07 09:00:00+00' WHERE id = 7;
            """); // 2501 and 2502 share the last updated_at read (row 2500's); row 7 changed later
        await RunAsync(environment, logs);
        var all = File.ReadAllLines(output);

        Assert.Equal(2500, first.Length);
        Assert.Equal("""{"id":1,"updated_at":"2026-12-07T08:00:00Z","total":1.5}""", first[0]);
        Assert.Equal(["2501", "2502", "7"], all[2500..].Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetRawText()));
        Assert.Equal("""{"id":7,"updated_at":"2026-12-07T09:00:00Z","total":0}""", all[^1]);
        PostgresDefinitionFiles.AssertNoSecret(logs, _folder);
    }

    private async Task RunAsync(Dictionary<string, string> environment, ListLoggerFactory logs)
    {
        await using var manager = PostgresDefinitionFiles.Manager(logs);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(PostgresDefinitionFiles.Example("postgres-to-file"), Path.Combine(_folder, "export.yaml"), new PipelineLoadOptions { Registry = manager.Registry, Environment = environment.GetValueOrDefault }));
        var run = manager.StartPipeline("orders-export");
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
    }
}

/// <summary>Collects every log line (the secret checks read them).</summary>
public sealed class ListLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>The postgres types' settings checked when a file loads: every failure named, with its place in the file.</summary>
public sealed class PostgresDefinitionValidationTests
{
    [Fact]
    public void Load_SourceWithNeitherTableNorQueryAndFollowWithoutKey_BothFailuresReported()
    {
        const string Text = """
            version: 1
            pipelines:
              - name: broken
                source: { type: postgres, settings: { connectionString: "Host=h;Password=${secret:PG_PASSWORD}", follow: true } }
                sinks: [ { type: postgres, settings: { connectionString: "Host=h", table: t, maxAttempts: 0 } } ]
            """;
        var registry = ConnectorRegistry.CreateDefault().AddPostgreSql();

        var error = Assert.ThrowsAny<Exception>(() => PipelineDefinitionLoader.Parse(Text, "broken.yaml", new PipelineLoadOptions { Registry = registry, Environment = _ => "pw-canary-77" }));

        Assert.Contains("needs exactly one of Table and Query", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyColumn is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("maxAttempts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-77", error.ToString(), StringComparison.Ordinal);
    }
}
