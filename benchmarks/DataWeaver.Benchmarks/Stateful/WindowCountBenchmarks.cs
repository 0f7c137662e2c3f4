using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Windowing;

namespace DataWeaver.Benchmarks.Stateful;

/// <summary>
/// A per-key tumbling-window count over 10,000,000 in-memory events (1,000 keys, 100,000 events per second of event
/// time in time order, 1-second windows: 100 windows x 1,000 keys = 100,000 results), each peer emitting every
/// (key, window, count):
/// - <c>DictionaryLoop</c> (Baseline): a hand-written loop over the array, one Dictionary per open window, emitted when the
///   next window starts.
/// - <c>DataWeaverCount</c>: source -> WindowByEventTime with a user count aggregator (a struct the JIT specializes) -> sink.
/// - <c>DataWeaverBuiltIn</c>: the same with the built-in aggregates (count, sum, min, max, first, last).
/// - <c>AkkaStreams</c>: Akka.Streams 1.5: Source.From(array) -> GroupBy(key) -> per key a stateful stage counting until
///   the window changes (the event-time equivalent of GroupedWithin, which cuts by processing time) -> MergeSubstreams.
/// Run:
///   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --filter '*WindowCount*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WindowCountConfig))]
public class WindowCountBenchmarks
{
    public const int Events = 10_000_000;
    public const int Keys = 1_000;
    private const long TicksPerEvent = TimeSpan.TicksPerSecond / 100_000;
    private static readonly DateTimeOffset s_epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<(ActorSystem System, IMaterializer Materializer)> s_akka = new(() =>
    {
        var system = ActorSystem.Create("window-bench", ConfigurationFactory.ParseString("akka { loglevel = ERROR, stdout-loglevel = ERROR }"));
        return (system, system.Materializer());
    });

    private Event[] _events = [];
    private Event[] _eventsWithEnds = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _events = new Event[Events];
        for (var i = 0; i < Events; i++)
        {
            _events[i] = new Event(random.Next(Keys), s_epoch.UtcTicks + (i * TicksPerEvent));
        }

        // Akka's per-key stages learn that the input ended from one end marker per key.
        _eventsWithEnds = [.. _events, .. Enumerable.Range(0, Keys).Select(k => new Event(k, long.MaxValue))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (s_akka.IsValueCreated)
        {
            s_akka.Value.System.Terminate().Wait();
        }
    }

    [Benchmark(Baseline = true)]
    public long DictionaryLoop()
    {
        long results = 0, counted = 0;
        var counts = new Dictionary<int, long>();
        var window = long.MinValue;
        var size = TimeSpan.TicksPerSecond;
        foreach (var e in _events)
        {
            var start = e.Ticks - (e.Ticks % size);
            if (start != window)
            {
                Emit(counts, ref results, ref counted);
                window = start;
            }

            CollectionsMarshal.GetValueRefOrAddDefault(counts, e.Key, out _)++;
        }

        Emit(counts, ref results, ref counted);
        return Check(results, counted);

        static void Emit(Dictionary<int, long> counts, ref long results, ref long counted)
        {
            foreach (var (_, count) in counts)
            {
                results++;
                counted += count;
            }

            counts.Clear();
        }
    }

    [Benchmark]
    public async Task<long> DataWeaverCount()
    {
        var sink = new CountSink<WindowOutput<int, long>>(static r => r.Value);
        await Pipeline.From(new CollectionSource<Event>(_events))
            .WindowByEventTime<Event, int, long, long, CountAggregator>(static e => new DateTimeOffset(e.Ticks, TimeSpan.Zero), static e => e.Key, default, new WindowOptions { Size = TimeSpan.FromSeconds(1) })
            .To(sink)
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        return Check(sink.Results, sink.Counted);
    }

    [Benchmark]
    public async Task<long> DataWeaverBuiltIn()
    {
        var sink = new CountSink<WindowResult<int>>(static r => r.Count);
        await Pipeline.From(new CollectionSource<Event>(_events))
            .WindowByEventTime(static e => new DateTimeOffset(e.Ticks, TimeSpan.Zero), static e => e.Key, static _ => 1, new WindowOptions { Size = TimeSpan.FromSeconds(1) })
            .To(sink)
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        return Check(sink.Results, sink.Counted);
    }

    [Benchmark]
    public async Task<long> AkkaStreams()
    {
        long results = 0, counted = 0;
        var size = TimeSpan.TicksPerSecond;
        var perKey = Source.From(_eventsWithEnds)
            .GroupBy(Keys + 1, e => e.Key)
            .Via(Flow.Create<Event>().StatefulSelectMany<Event, Event, (int Key, long Start, long Count), NotUsed>(() =>
            {
                var window = long.MinValue;
                long count = 0;
                return e =>
                {
                    var start = e.Ticks == long.MaxValue ? long.MaxValue : e.Ticks - (e.Ticks % size);
                    if (start == window)
                    {
                        count++;
                        return [];
                    }

                    IEnumerable<(int, long, long)> closed = count > 0 ? [(e.Key, window, count)] : [];
                    window = start;
                    count = 1;
                    return closed;
                };
            }));
        var merged = (Source<(int Key, long Start, long Count), NotUsed>)((SubFlow<(int Key, long Start, long Count), NotUsed, IRunnableGraph<NotUsed>>)perKey).MergeSubstreams();
        await merged
            .RunForeach(
                r =>
                {
                    results++;
                    counted += r.Count;
                },
                s_akka.Value.Materializer)
            .ConfigureAwait(false);
        return Check(results, counted);
    }

    private static long Check(long results, long counted)
    {
        if (counted != Events || results != (long)Keys * (Events / 100_000))
        {
            throw new InvalidOperationException($"Wrong answer: {results} results counting {counted} events.");
        }

        return results;
    }

    public readonly record struct Event(int Key, long Ticks);

    /// <summary>A count per key and window.</summary>
    public readonly struct CountAggregator : IWindowAggregator<Event, long, long>
    {
        public bool SizeVaries => false;

        public long Create() => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ref long accumulator, Event record, WindowElement element) => accumulator++;

        public void Merge(ref long into, ref long other) => into += other;

        public long Result(ref long accumulator) => accumulator;

        public long EstimateBytes(ref long accumulator) => 0;
    }

    /// <summary>Counts results and the events they count, keeping none.</summary>
    private sealed class CountSink<T>(Func<T, long> count) : SinkConnector<T>
    {
        public long Results { get; private set; }

        public long Counted { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
        {
            Results += batch.Length;
            foreach (var r in batch.Span)
            {
                Counted += count(r);
            }

            return default;
        }
    }

    private sealed class WindowCountConfig : ManualConfig
    {
        public WindowCountConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(6));
    }
}
