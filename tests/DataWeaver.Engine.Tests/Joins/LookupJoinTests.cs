using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Joins;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Stateful;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Joins;

public sealed class LookupJoinTests
{
    [Theory]
    [InlineData(LookupMissingKey.PassThrough)]
    [InlineData(LookupMissingKey.Drop)]
    [InlineData(LookupMissingKey.DeadLetter)]
    public async Task LookupJoin_RandomRecordsAndTable_EqualsTheDictionaryReference(LookupMissingKey onMissing)
    {
        var random = new Random(7);
        // A table with duplicate keys (the last row wins) covering about 70% of the keys the records use.
        var rows = Enumerable.Range(0, 20_000).Select(i => (Key: random.Next(10_000), Value: $"v{i}")).ToList();
        var records = Enumerable.Range(0, 100_000).Select(i => (Id: i, Key: random.Next(14_000))).ToList();
        var reference = new Dictionary<int, string>();
        foreach (var (key, value) in rows)
        {
            reference[key] = value;
        }

        var table = LookupTable.FromQuery(_ => rows.ToAsyncEnumerable(), r => r.Key, r => r.Value, "rows");
        var sink = new CollectionSink<(int Id, string? Value)>();
        var deadLetters = new CollectionSink<DeadLetter>("missing");
        var source = new CollectionSource<(int Id, int Key)>(records);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 500 })
            .LookupJoin(table, r => r.Key, (r, value) => (r.Id, value), new LookupJoinOptions { OnMissing = onMissing, Name = "enrich" })
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        var found = records.Where(r => reference.ContainsKey(r.Key)).Select(r => (r.Id, (string?)reference[r.Key]));
        var missing = records.Where(r => !reference.ContainsKey(r.Key)).ToList();
        Assert.InRange(missing.Count, 30_000, 60_000);
        var expected = onMissing == LookupMissingKey.PassThrough
            ? records.Select(r => (r.Id, reference.TryGetValue(r.Key, out var v) ? v : null)).ToList()
            : found.ToList();
        Assert.Equal(expected, sink.Records); // in input order
        Assert.Equal(onMissing == LookupMissingKey.Drop ? missing.Count : 0, run.Statistics.RecordsFiltered);
        if (onMissing == LookupMissingKey.DeadLetter)
        {
            Assert.Equal(missing, deadLetters.Records.Select(d => ((int, int))d.Value!));
            var error = Assert.IsType<LookupKeyNotFoundException>(deadLetters.Records[0].Exception);
            Assert.Equal("rows", error.Table);
            Assert.Equal(1, error.TableVersion);
            Assert.Contains("'enrich'", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(deadLetters.Records);
        }

        Assert.Equal(records.Count, source.Committed); // every record handled and committed
    }

    [Fact]
    public async Task LookupJoin_RefreshedOnFakeTime_SwapsTheWholeTableAtOnce()
    {
        var clock = new ManualTimeProvider();
        var loads = 0;
        var table = LookupTable.FromQuery(
            _ => Table(Interlocked.Increment(ref loads)),
            r => r.Key,
            r => r.Value);
        var channel = Channel.CreateUnbounded<int>();
        var sink = new CollectionSink<(int Key, string? Value)>();
        var run = Pipeline.From(new ChannelSource<int>(channel.Reader), new PipelineOptions { TimeProvider = clock, BatchSize = 100 })
            .LookupJoin(table, k => k, (k, v) => (k, v), new LookupJoinOptions { RefreshInterval = TimeSpan.FromMinutes(5) })
            .To(sink)
            .Build()
            .Start();

        await WriteAsync(channel, 0, 1_000);
        await LifecycleTests.WaitUntil(() => sink.Count == 1_000);
        Assert.All(sink.Records, r => Assert.Equal($"v1-{r.Key}", r.Value));
        Assert.Equal(1, loads);

        clock.Advance(TimeSpan.FromMinutes(5));
        await LifecycleTests.WaitUntil(() => Volatile.Read(ref loads) == 2);

        // Probe until the second version serves; every record is joined against one version, never a mix of keys.
        var written = 1_000;
        while (!sink.Records.Any(r => r.Value!.StartsWith("v2-", StringComparison.Ordinal)))
        {
            await WriteAsync(channel, written, 100);
            written += 100;
            await LifecycleTests.WaitUntil(() => sink.Count == written);
        }

        await WriteAsync(channel, written, 1_000);
        written += 1_000;
        channel.Writer.Complete();
        await run.Completion;

        var versions = sink.Records.Select(r => r.Value!.Split('-')[0]).ToList();
        Assert.Equal(written, versions.Count);
        var firstV2 = versions.IndexOf("v2");
        Assert.All(versions.Take(firstV2), v => Assert.Equal("v1", v));
        Assert.All(versions.Skip(firstV2), v => Assert.Equal("v2", v)); // swapped once, never back
        Assert.All(sink.Records, r => Assert.EndsWith($"-{r.Key}", r.Value!, StringComparison.Ordinal));
        Assert.Equal(2, loads);

        static async IAsyncEnumerable<(int Key, string Value)> Table(int version)
        {
            for (var key = 0; key < 100_000; key++)
            {
                if (key % 10_000 == 0)
                {
                    await Task.Yield();
                }

                yield return (key, $"v{version}-{key}");
            }
        }
    }

    [Fact]
    public async Task LookupJoin_RefreshFails_KeepsTheCurrentTableAndCountsTheError()
    {
        var clock = new ManualTimeProvider();
        var loads = 0;
        var table = LookupTable.FromQuery<(int Key, string Value), int, string>(
            _ => Interlocked.Increment(ref loads) == 1 ? new[] { (1, "one") }.ToAsyncEnumerable() : Failing(CancellationToken.None),
            r => r.Key,
            r => r.Value);
        var channel = Channel.CreateUnbounded<int>();
        var sink = new CollectionSink<string?>();
        var run = Pipeline.From(new ChannelSource<int>(channel.Reader), new PipelineOptions { TimeProvider = clock })
            .LookupJoin(table, k => k, (_, v) => v, new LookupJoinOptions { RefreshInterval = TimeSpan.FromSeconds(30) })
            .To(sink)
            .Build()
            .Start();

        await channel.Writer.WriteAsync(1);
        await LifecycleTests.WaitUntil(() => sink.Count == 1);
        clock.Advance(TimeSpan.FromSeconds(30));
        await LifecycleTests.WaitUntil(() => Volatile.Read(ref loads) == 2);
        await channel.Writer.WriteAsync(1);
        channel.Writer.Complete();
        await run.Completion;

        Assert.Equal(["one", "one"], sink.Records);

        static async IAsyncEnumerable<(int, string)> Failing([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return (1, "partial");
            throw new IOException("the database went away");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with a refresh, two tables must fit
    public async Task LookupJoin_TableOverTheBudget_FailsWithJoinStateFullAndCommitsNothing(bool refresh)
    {
        // About 100 bytes an entry: 1,000 entries fit 128 KiB once, not twice; 10,000 never.
        var entries = refresh ? 1_000 : 10_000;
        var table = LookupTable.FromQuery(_ => Enumerable.Range(0, entries).ToAsyncEnumerable(), k => $"key-{k:D6}", k => $"value-{k:D6}", "customers");
        var source = new CountingSource(count: 1_000);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .LookupJoin(table, id => $"key-{id:D6}", (id, v) => v, new LookupJoinOptions
            {
                StateBudgetBytes = 128 * 1024,
                RefreshInterval = refresh ? TimeSpan.FromHours(1) : null,
                Name = "customers-join",
            })
            .To(new CollectionSink<string?>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<JoinStateFullException>(() => run.Completion);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Equal(128 * 1024, error.StateBudgetBytes);
        Assert.True(error.StateBytes > 128 * 1024);
        Assert.Contains("'customers-join'", error.Message, StringComparison.Ordinal);
        Assert.Contains("table 'customers'", error.Message, StringComparison.Ordinal);
        Assert.Contains("131072 bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(source.Commits);
    }

    [Fact]
    public async Task LookupJoin_FirstLoadFails_RunFailsWithTheLoadError()
    {
        var table = LookupTable.FromQuery<int, int, int>(_ => throw new IOException("no database"), k => k, k => k);
        var source = new CountingSource(count: 10);
        var run = Pipeline.From(source)
            .LookupJoin(table, id => (int)id, (id, v) => v)
            .To(new CollectionSink<int>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<IOException>(() => run.Completion);
        Assert.Equal("no database", error.Message);
        Assert.Empty(source.Commits);
    }

    [Fact]
    public async Task LookupJoin_TableFromAJsonLinesFile_EnrichesEveryRecord()
    {
        var dir = Directory.CreateTempSubdirectory("dw-lookup-");
        try
        {
            var path = Path.Combine(dir.FullName, "customers.jsonl");
            await File.WriteAllLinesAsync(path, Enumerable.Range(0, 500).Select(i => JsonSerializer.Serialize(new Customer($"c{i}", $"Name {i}"))));
            var customers = LookupTable.FromSource(
                new JsonLinesSource(path),
                r => JsonSerializer.Deserialize<Customer>(r.Value.Span)!.Id,
                r => JsonSerializer.Deserialize<Customer>(r.Value.Span)!.Name);
            var sink = new CollectionSink<string>();
            await Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 1_000)]))
                .LookupJoin(customers, i => $"c{i % 500}", (i, name) => $"{i}:{name}")
                .To(sink)
                .Build()
                .RunAsync();

            Assert.Equal(Enumerable.Range(0, 1_000).Select(i => $"{i}:Name {i % 500}"), sink.Records);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task WriteAsync(Channel<int> channel, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await channel.Writer.WriteAsync(i % 100_000);
        }
    }

    private sealed record Customer(string Id, string Name);
}
