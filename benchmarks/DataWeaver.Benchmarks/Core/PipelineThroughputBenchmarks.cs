using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;

namespace DataWeaver.Benchmarks.Core;

/// <summary>
/// source -> map -> filter -> sink over 10,000,000 in-memory 16-byte records. Every method does the same work
/// (double the quantity, keep the records with even flags, sum the quantities kept) and returns the sum.
/// Figures are per record (OperationsPerInvoke = RecordCount).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class PipelineThroughputBenchmarks
{
    public const int RecordCount = 10_000_000;

    /// <summary>The bound of each naive block, in records.</summary>
    private const int NaiveBoundedCapacity = 1024;

    private Order[] _orders = [];
    private long _expected;
    private SumSink _lambdaSink = null!;
    private SumSink _structSink = null!;
    private Pipeline _lambdas = null!;
    private Pipeline _structs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _orders = new Order[RecordCount];
        for (var i = 0; i < _orders.Length; i++)
        {
            _orders[i] = Order.Create(i);
        }

        _expected = RawLoop();

        // Built once, run once per invocation, as a service would: a pipeline is immutable and re-runnable.
        var source = new CollectionSource<Order>(_orders);
        _lambdaSink = new SumSink();
        _lambdas = Pipeline.From(source)
            .Map(static o => Order.Reprice(o))
            .Filter(static o => Order.IsKept(o))
            .To(_lambdaSink)
            .Build();

        _structSink = new SumSink();
        _structs = Pipeline.From(new CollectionSource<Order>(_orders))
            .Map<Order, RepriceOperator>(default)
            .Filter(default(KeepEvenFlagsOperator))
            .To(_structSink)
            .Build();
    }

    /// <summary>Checks once, after the runs, that every variant computed the same sum.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Check(nameof(DataWeaverLambdas), _lambdaSink);
        Check(nameof(DataWeaverStructOperators), _structSink);
    }

    /// <summary>
    /// The chain as naive per-record Dataflow blocks: map and filter are TransformBlocks, the sink an
    /// ActionBlock, each bounded to 1,024 records; the source posts each record with SendAsync. The filter block
    /// tags each record, its link to the sink takes the kept ones and a NullTarget the others (both links need
    /// their predicate: a bounded sink that postpones a kept record would otherwise let the NullTarget take it).
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RecordCount)]
    public async Task<long> NaiveDataflow()
    {
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = NaiveBoundedCapacity };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        long sum = 0;

        var map = new TransformBlock<Order, Order>(static o => Order.Reprice(o), options);
        var filter = new TransformBlock<Order, (bool Keep, Order Order)>(static o => (Order.IsKept(o), o), options);
        var sink = new ActionBlock<(bool Keep, Order Order)>(r => sum += r.Order.Quantity, options);
        map.LinkTo(filter, link);
        filter.LinkTo(sink, link, static r => r.Keep);
        filter.LinkTo(DataflowBlock.NullTarget<(bool Keep, Order Order)>(), static r => !r.Keep);

        var orders = _orders;
        for (var i = 0; i < orders.Length; i++)
        {
            await map.SendAsync(orders[i]).ConfigureAwait(false);
        }

        map.Complete();
        await sink.Completion.ConfigureAwait(false);
        return Verify(sum);
    }

    /// <summary>The engine with lambdas: one source loop, one fused map+filter block, one sink block, batches of 1,024.</summary>
    [Benchmark(OperationsPerInvoke = RecordCount)]
    public async Task<long> DataWeaverLambdas()
    {
        await _lambdas.RunAsync().ConfigureAwait(false);
        return _lambdaSink.Total;
    }

    /// <summary>The engine with struct operators the JIT inlines into the fused block's loop.</summary>
    [Benchmark(OperationsPerInvoke = RecordCount)]
    public async Task<long> DataWeaverStructOperators()
    {
        await _structs.RunAsync().ConfigureAwait(false);
        return _structSink.Total;
    }

    /// <summary>The same work as a plain loop on one thread: the floor, for reference.</summary>
    [Benchmark(OperationsPerInvoke = RecordCount)]
    public long RawLoop()
    {
        long sum = 0;
        foreach (var order in _orders)
        {
            var mapped = Order.Reprice(order);
            if (Order.IsKept(mapped))
            {
                sum += mapped.Quantity;
            }
        }

        return sum;
    }

    private long Verify(long sum) =>
        sum == _expected ? sum : throw new InvalidOperationException($"Sum {sum} differs from the expected {_expected}.");

    private void Check(string method, SumSink sink)
    {
        // A method that did not run in this process (filtered out) left its sink at 0.
        if (sink.Count != 0)
        {
            _ = Verify(sink.Total);
        }
    }
}
