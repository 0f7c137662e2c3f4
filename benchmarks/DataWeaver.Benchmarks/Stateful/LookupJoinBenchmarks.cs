using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Joins;
using DataWeaver.Pipelines;

namespace DataWeaver.Benchmarks.Stateful;

/// <summary>
/// A lookup-join probe: 2,000,000 in-memory records (16-byte structs), each enriched with the value under its key in a
/// table of 100,000 rows (90 % of the records find their key), every peer building its table from the same rows first:
/// - <c>DictionaryLoop</c> (Baseline): a hand-written loop: build a Dictionary, then TryGetValue per record, summing.
/// - <c>DataWeaverLookupJoin</c>: source -> LookupJoin (table from a query over the rows, missing keys passed) -> sink.
/// - <c>DataWeaverMapOverDictionary</c>: source -> Map doing the same TryGetValue on a prebuilt Dictionary -> sink: what
///   the pipeline costs without the join stage.
/// Run:
///   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --filter '*LookupJoin*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LookupJoinConfig))]
public class LookupJoinBenchmarks
{
    public const int Records = 2_000_000;
    public const int TableRows = 100_000;

    private Probe[] _records = [];
    private KeyValuePair<int, long>[] _rows = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        _rows = [.. Enumerable.Range(0, TableRows).Select(k => new KeyValuePair<int, long>(k, k * 3L))];
        _records = new Probe[Records];
        for (var i = 0; i < Records; i++)
        {
            _records[i] = new Probe(i, random.Next((int)(TableRows / 0.9)));
        }
    }

    [Benchmark(Baseline = true)]
    public long DictionaryLoop()
    {
        var table = new Dictionary<int, long>();
        foreach (var (key, value) in _rows)
        {
            table[key] = value;
        }

        long sum = 0;
        foreach (var record in _records)
        {
            sum += table.TryGetValue(record.Key, out var value) ? value : -1;
        }

        return sum;
    }

    [Benchmark]
    public async Task<long> DataWeaverLookupJoin()
    {
        var table = LookupTable.FromQuery(_ => _rows.ToAsyncEnumerable(), static r => r.Key, static r => (long?)r.Value, "rows");
        var sink = new SumSink();
        await Pipeline.From(new CollectionSource<Probe>(_records))
            .LookupJoin(table, static r => r.Key, static (r, value) => value ?? -1, new LookupJoinOptions())
            .To(sink)
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        return sink.Sum;
    }

    [Benchmark]
    public async Task<long> DataWeaverMapOverDictionary()
    {
        var table = new Dictionary<int, long>();
        foreach (var (key, value) in _rows)
        {
            table[key] = value;
        }

        var sink = new SumSink();
        await Pipeline.From(new CollectionSource<Probe>(_records))
            .Map(r => table.TryGetValue(r.Key, out var value) ? value : -1)
            .To(sink)
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        return sink.Sum;
    }

    public readonly record struct Probe(long Id, int Key);

    private sealed class SumSink : SinkConnector<long>
    {
        public long Sum { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            foreach (var v in batch.Span)
            {
                Sum += v;
            }

            return default;
        }
    }

    private sealed class LookupJoinConfig : ManualConfig
    {
        public LookupJoinConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(8));
    }
}
