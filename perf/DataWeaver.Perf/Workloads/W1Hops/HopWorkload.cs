using DataWeaver.Connectors.Memory;
using DataWeaver.Perf.Harness;
using DataWeaver.Perf.Peers;
using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Workloads.W1Hops;

/// <summary>
/// W1, hop cost: the longs 0..N-1 (an array built before timing) through 4 identity stages into a sum. The engine
/// fuses the 4 maps into one block (<c>dataweaver</c>); <c>dataweaver-stages</c> puts each in its own block, to show
/// what a hop costs when batches cross it.
/// </summary>
internal sealed class HopWorkload(long records, bool akka = true) : Workload
{
    private long[] _values = [];
    private long _expected;

    public override string Name => "W1";

    public override string Title => "hop cost: longs through 4 identity stages into a sum";

    public override long Records => records;

    public override ValueTask SetupAsync()
    {
        _values = new long[records];
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = i;
        }

        _expected = records * (records - 1) / 2;
        return default;
    }

    public override IEnumerable<PeerBench> Peers()
    {
        yield return new PeerBench(PeerNames.RawLoop, _ => Task.FromResult(RawLoop()));
        foreach (var family in akka ? StageFamily.All.Concat(StageFamily.Akka) : StageFamily.All)
        {
            yield return new PeerBench(family.Name, _ => RunFamilyAsync(family));
        }

        yield return DataWeaverPeer(PeerNames.DataWeaver, fused: true, EngineOptions.Throughput);
        yield return DataWeaverPeer(PeerNames.DataWeaverStages, fused: false, EngineOptions.Throughput);
        yield return DataWeaverPeer(PeerNames.DataWeaverDefaults, fused: true, new PipelineOptions());
        yield return DataWeaverPeer(PeerNames.DataWeaverLambdas, fused: true, EngineOptions.Throughput, lambdas: true);
    }

    private static long Id(long value) => value;

    private Iteration RawLoop()
    {
        long sum = 0;
        foreach (var value in _values)
        {
            sum += Id(Id(Id(Id(value))));
        }

        Check(sum == _expected, $"raw-loop sum {sum}");
        return default;
    }

    private async Task<Iteration> RunFamilyAsync(StageFamily family)
    {
        long sum = 0;
        var inlet = family.Open<long, long>(s => s.Map(Id).Map(Id).Map(Id).Map(Id), value => sum += value);
        await inlet.SendAllAsync(_values);
        Check(sum == _expected, $"{family.Name} sum {sum}");
        return default;
    }

    private PeerBench DataWeaverPeer(string name, bool fused, PipelineOptions options, bool lambdas = false)
    {
        // Built once, run once per iteration, as a service would: a pipeline is immutable and re-runnable.
        var sink = new LongSumSink();
        var builder = Pipeline.From(new CollectionSource<long>(_values), options);
        for (var i = 0; i < 4; i++)
        {
            builder = fused ? builder : builder.Stage(new StageOptions());
            builder = lambdas ? builder.Map(static (long value) => value) : builder.Map<long, Identity>(default);
        }

        var pipeline = builder.To(sink).Build();
        return new PeerBench(name, async _ =>
        {
            await pipeline.RunAsync();
            Check(sink.Total == _expected, $"{name} sum {sink.Total}");
            return default;
        });
    }
}
