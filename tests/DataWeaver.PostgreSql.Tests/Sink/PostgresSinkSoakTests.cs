using System.Diagnostics;
using System.Globalization;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.PostgreSql.Sink;
using DataWeaver.PostgreSql.Tests.Support;
using DataWeaver.Serialization.Json;
using Npgsql;
using NpgsqlTypes;
using Xunit.Abstractions;

namespace DataWeaver.PostgreSql.Tests.Sink;

/// <summary>
/// The issue's figures, run by hand (Category=Soak): 1,000,000 rows with 1% refused, and the sink's throughput against a
/// hand-written Npgsql binary COPY loop over the same records, in the same run, as a ratio (no wall-clock assertion).
/// </summary>
[Trait("Category", "Soak")]
public sealed class PostgresSinkSoakTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int BatchSize = 1024;

    [Fact]
    public async Task Write_MillionRowsOnePercentRefused_ExactlyThoseDeadLetteredRestInTheTableReplayChangesNothing()
    {
        const int Count = 1_000_000;
        await database.ExecuteAsync("CREATE TABLE million (id bigint PRIMARY KEY, amount numeric NOT NULL CHECK (amount >= 0), name text)");
        var records = Enumerable.Range(0, Count).Select(i => JsonRecord.Parse(i % 100 == 13 ? $"{{\"id\":{i},\"amount\":-1,\"name\":\"bad\"}}" : $"{{\"id\":{i},\"amount\":{i}.25,\"name\":\"item-{i}\"}}")).ToArray();
        var options = new PostgresSinkOptions { ConnectionString = database.Admin, Table = "million", KeyColumns = ["id"] };
        var letters = new CollectionSink<DeadLetter>("dead-letters");

        var clock = Stopwatch.StartNew();
        var run = Pipeline.From(new CollectionSource<JsonRecord>(records), new PipelineOptions { BatchSize = BatchSize }).To(new PostgresSink(options)).OnError(e => e.DeadLetterTo(letters)).Build().Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(30));
        var first = clock.Elapsed;
        var before = await database.ScalarAsync<string>("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM million t");
        clock.Restart();
        var replay = Pipeline.From(new CollectionSource<JsonRecord>(records[200_000..400_000]), new PipelineOptions { BatchSize = BatchSize }).To(new PostgresSink(options)).OnError(e => e.Skip()).Build().Start();
        await replay.Completion.WaitAsync(TimeSpan.FromMinutes(30));
        var after = await database.ScalarAsync<string>("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM million t");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1,000,000 upserts with 1% refused: {first.TotalSeconds:0.0} s ({Count / first.TotalSeconds:0} records/s); replay of 200,000: {clock.Elapsed.TotalSeconds:0.0} s"));
        Assert.Equal(Count / 100, letters.Count);
        Assert.All(letters.Records, l => Assert.Contains("violates check constraint \"million_amount_check\"", l.Exception.Message, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, Count).Where(i => i % 100 == 13).Select(i => (long)i), letters.Records.Select(l => JsonIds.Id(JsonRecord.Parse(l.Payload))).Order());
        Assert.Equal(Count - (Count / 100), await database.ScalarAsync<long>("SELECT count(*) FROM million"));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Benchmark_CopySinkAgainstHandWrittenCopyLoop_RatioReported()
    {
        const int Count = 300_000;
        const int Rounds = 3;
        var records = Enumerable.Range(0, Count).Select(i => JsonRecord.Parse(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"name\":\"item-{i}\",\"amount\":{i}.5,\"at\":\"2026-12-07T10:00:00Z\"}}"))).ToArray();
        await database.ExecuteAsync("CREATE TABLE bench (id bigint NOT NULL, name text, amount numeric, at timestamptz)");
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            await database.ExecuteAsync("TRUNCATE bench");
            var clock = Stopwatch.StartNew();
            await HandWrittenCopyAsync(records);
            theirs.Add(Count / clock.Elapsed.TotalSeconds);

            await database.ExecuteAsync("TRUNCATE bench");
            clock.Restart();
            var run = Pipeline.From(new CollectionSource<JsonRecord>(records), new PipelineOptions { BatchSize = BatchSize }).ToPostgreSql(new PostgresSinkOptions { ConnectionString = database.Admin, Table = "bench" }).Build().Start();
            await run.Completion.WaitAsync(TimeSpan.FromMinutes(10));
            ours.Add(Count / clock.Elapsed.TotalSeconds);
            Assert.Equal(Count, await database.ScalarAsync<long>("SELECT count(*) FROM bench"));
        }

        var ratio = ours.Zip(theirs, (a, b) => a / b).Order().ToList()[Rounds / 2];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sink (pipeline, JSON records -> binary COPY, {BatchSize} per transaction): {string.Join(", ", ours.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} records/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hand-written Npgsql COPY loop (same records, same batches): {string.Join(", ", theirs.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} records/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median ratio sink / hand-written: {ratio:0.00}x"));
    }

    /// <summary>The baseline: the same records' fields read and written with Npgsql's binary importer, one transaction per batch.</summary>
    private async Task HandWrittenCopyAsync(JsonRecord[] records)
    {
        await using var connection = new NpgsqlConnection(database.Admin);
        await connection.OpenAsync();
        for (var start = 0; start < records.Length; start += BatchSize)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var importer = await connection.BeginBinaryImportAsync("COPY bench (id, name, amount, at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var record in records.AsSpan(start, Math.Min(BatchSize, records.Length - start)).ToArray())
                {
                    record.TryGetInt64("id", out var id);
                    record.TryGetString("name", out var name);
                    record.TryGetDecimal("amount", out var amount);
                    record.TryGetString("at", out var at);
                    await importer.StartRowAsync();
                    await importer.WriteAsync(id, NpgsqlDbType.Bigint);
                    await importer.WriteAsync(name!, NpgsqlDbType.Text);
                    await importer.WriteAsync(amount, NpgsqlDbType.Numeric);
                    await importer.WriteAsync(DateTimeOffset.Parse(at!, CultureInfo.InvariantCulture).UtcDateTime, NpgsqlDbType.TimestampTz);
                }

                await importer.CompleteAsync();
            }

            await transaction.CommitAsync();
        }
    }
}
