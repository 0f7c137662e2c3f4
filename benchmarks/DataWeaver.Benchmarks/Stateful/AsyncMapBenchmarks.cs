using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DataWeaver.AsyncMap;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;

namespace DataWeaver.Benchmarks.Stateful;

/// <summary>
/// An enrichment call per record at 64 calls at once, in input order: the pipeline's MapAsync (source -> MapAsync -> sink)
/// against a hand-written loop (SemaphoreSlim of 64, one task per record, results by index), the Baseline. Two services:
/// one answering after 5 ms (the latency test: the bound is 64 / 5 ms = 12,800 calls/s) and one answering at once
/// after a yield (the per-call overhead). Run:
///   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --filter '*AsyncMap*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortConfig))]
public class AsyncMapBenchmarks
{
    private const int Concurrency = 64;

    private long[] _ids = [];
    private Pipeline _pipeline = null!;
    private LastSink _sink = null!;

    /// <summary>Gets or sets the service's latency in milliseconds (0: answers after a yield).</summary>
    [Params(0, 5)]
    public int LatencyMs { get; set; }

    /// <summary>Gets the records per invocation: 6,400 at 5 ms (0.5 s at the bound), 200,000 at 0 ms.</summary>
    public int Count => LatencyMs == 0 ? 200_000 : 6_400;

    [GlobalSetup]
    public void Setup()
    {
        _ids = [.. Enumerable.Range(0, Count).Select(i => (long)i)];
        _sink = new LastSink();
        _pipeline = Pipeline.From(new CollectionSource<long>(_ids))
            .MapAsync(CallAsync, new AsyncMapOptions { MaxConcurrency = Concurrency })
            .To(_sink)
            .Build();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> SemaphoreSlimLoop()
    {
        using var gate = new SemaphoreSlim(Concurrency);
        var results = new long[_ids.Length];
        var tasks = new Task[_ids.Length];
        for (var i = 0; i < _ids.Length; i++)
        {
            await gate.WaitAsync().ConfigureAwait(false);
            tasks[i] = RunOne(i);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return results[^1];

        async Task RunOne(int index)
        {
            try
            {
                results[index] = await CallAsync(_ids[index], CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    [Benchmark]
    public async Task<long> PipelineMapAsync()
    {
        await _pipeline.RunAsync().ConfigureAwait(false);
        return _sink.Last;
    }

    private async ValueTask<long> CallAsync(long id, CancellationToken cancellationToken)
    {
        if (LatencyMs == 0)
        {
            await Task.Yield();
        }
        else
        {
            await Task.Delay(LatencyMs, cancellationToken).ConfigureAwait(false);
        }

        return id * 2;
    }

    private sealed class LastSink() : SinkConnector<long>("last")
    {
        public long Last { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            Last = batch.Span[^1];
            return default;
        }
    }

    /// <summary>In process (no separate build: the benchmark waits on timers, not on code generation), few iterations.</summary>
    private sealed class InProcessShortConfig : ManualConfig
    {
        public InProcessShortConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6));
    }
}
