using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Joins;
using DataWeaver.Pipelines;
using DataWeaver.PostgreSql.Tests.Support;
using Npgsql;

namespace DataWeaver.PostgreSql.Tests.Joins;

/// <summary>A lookup join whose table is a query against the real PostgreSQL server, refreshed while the pipeline runs.</summary>
public sealed class LookupJoinPostgresTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task LookupJoin_TableFromAPostgresQuery_EnrichesAndSeesAnUpdateAfterARefresh()
    {
        await PostgresServer.ExecuteAsync(database.Admin, """
            CREATE TABLE customers (id text PRIMARY KEY, name text NOT NULL);
            INSERT INTO customers SELECT 'c' || n, 'name ' || n FROM generate_series(0, 9999) AS n;
            """);
        var loads = 0;
        var customers = LookupTable.FromQuery(
            ct => QueryAsync(database.Admin, () => Interlocked.Increment(ref loads), ct),
            row => row.Id,
            row => row.Name,
            "customers");
        var channel = Channel.CreateUnbounded<int>();
        var sink = new CollectionSink<(int N, string? Name)>();
        var run = Pipeline.From(new ChannelOf(channel.Reader), new PipelineOptions { BatchSize = 64 })
            .LookupJoin(customers, n => $"c{n}", (n, name) => (n, name), new LookupJoinOptions { RefreshInterval = TimeSpan.FromMilliseconds(100) })
            .To(sink)
            .Build()
            .Start();

        for (var n = 0; n < 12_000; n++)
        {
            await channel.Writer.WriteAsync(n);
        }

        await WaitUntil(() => sink.Count == 12_000);
        Assert.Equal(Enumerable.Range(0, 12_000).Select(n => (n, n < 10_000 ? $"name {n}" : null)), sink.Records);

        // Rename a customer; a later load serves the new name, in one step for the whole table.
        await PostgresServer.ExecuteAsync(database.Admin, "UPDATE customers SET name = 'renamed' WHERE id = 'c7'");
        var before = Volatile.Read(ref loads);
        await WaitUntil(() => Volatile.Read(ref loads) >= before + 2); // a load that started after the update has finished
        var written = sink.Count;
        do
        {
            await channel.Writer.WriteAsync(7);
            written++;
            await WaitUntil(() => sink.Count == written);
        }
        while (sink.Records[^1].Name != "renamed");

        channel.Writer.Complete();
        await run.Completion;
        Assert.All(sink.Records.Skip(12_000).SkipWhile(r => r.Name == "name 7"), r => Assert.Equal("renamed", r.Name));
    }

    private static async IAsyncEnumerable<(string Id, string Name)> QueryAsync(string connectionString, Func<int> counted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT id, name FROM customers", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (reader.GetString(0), reader.GetString(1));
        }

        counted();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // only against a hang
        while (!condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }

    private sealed class ChannelOf(ChannelReader<int> reader) : SourceConnector<int>("channel")
    {
        public override IAsyncEnumerable<int> ReadAsync(CancellationToken cancellationToken = default) => reader.ReadAllAsync(cancellationToken);
    }
}
