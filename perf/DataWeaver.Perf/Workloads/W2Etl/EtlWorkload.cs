using DataWeaver.Connectors.Memory;
using DataWeaver.Perf.Harness;
using DataWeaver.Perf.Peers;
using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Workloads.W2Etl;

/// <summary>
/// W2, in-memory ETL: 24-byte <see cref="Sale"/> records (an array built before timing); filter (3 in 4 pass), map
/// amount * qty, sum over 1,024 keys. <c>dataweaver</c> uses struct operators, <c>dataweaver-lambdas</c> the same
/// steps as lambdas.
/// </summary>
internal sealed class EtlWorkload(long records, bool akka = true) : Workload
{
    private readonly KeyedTotals _expected = new();
    private Sale[] _sales = [];

    public override string Name => "W2";

    public override string Title => "in-memory ETL: filter, map amount*qty, sum over 1,024 keys";

    public override long Records => records;

    public override ValueTask SetupAsync()
    {
        _sales = new Sale[records];
        for (var i = 0; i < _sales.Length; i++)
        {
            _sales[i] = Sale.Create(i);
        }

        Sum(_expected);
        return default;
    }

    public override IEnumerable<PeerBench> Peers()
    {
        var raw = new KeyedTotals();
        yield return new PeerBench(PeerNames.RawLoop, _ =>
        {
            Sum(raw);
            Check(raw.SameAs(_expected), "raw-loop totals");
            return Task.FromResult(default(Iteration));
        });

        foreach (var family in akka ? StageFamily.All.Concat(StageFamily.Akka) : StageFamily.All)
        {
            yield return new PeerBench(family.Name, _ => RunFamilyAsync(family));
        }

        var structs = new KeyedSumSink();
        yield return DataWeaverPeer(PeerNames.DataWeaver, structs, Pipeline.From(new CollectionSource<Sale>(_sales), EngineOptions.Throughput)
            .Filter(default(KeepSale))
            .Map<Keyed, TotalOfSale>(default)
            .To(structs)
            .Build());

        var defaults = new KeyedSumSink();
        yield return DataWeaverPeer(PeerNames.DataWeaverDefaults, defaults, Pipeline.From(new CollectionSource<Sale>(_sales))
            .Filter(default(KeepSale))
            .Map<Keyed, TotalOfSale>(default)
            .To(defaults)
            .Build());

        var lambdas = new KeyedSumSink();
        yield return DataWeaverPeer(PeerNames.DataWeaverLambdas, lambdas, Pipeline.From(new CollectionSource<Sale>(_sales), EngineOptions.Throughput)
            .Filter(static sale => Sale.IsKept(sale))
            .Map(static sale => Sale.Total(sale))
            .To(lambdas)
            .Build());
    }

    private void Sum(KeyedTotals totals)
    {
        totals.Clear();
        var sums = totals.Totals;
        foreach (var sale in _sales)
        {
            if (Sale.IsKept(sale))
            {
                var keyed = Sale.Total(sale);
                sums[keyed.Key] += keyed.Value;
            }
        }
    }

    private async Task<Iteration> RunFamilyAsync(StageFamily family)
    {
        var totals = new KeyedTotals();
        var inlet = family.Open<Sale, Keyed>(s => s.Filter(Sale.IsKept).Map(Sale.Total), totals.Add);
        await inlet.SendAllAsync(_sales);
        Check(totals.SameAs(_expected), $"{family.Name} totals");
        return default;
    }

    private PeerBench DataWeaverPeer(string name, KeyedSumSink sink, Pipeline pipeline) => new(name, async _ =>
    {
        await pipeline.RunAsync();
        Check(sink.Totals.SameAs(_expected), $"{name} totals");
        return default;
    });
}
