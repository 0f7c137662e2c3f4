using System.Threading.Channels;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Support;
using DataWeaver.Windowing;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Stateful;

/// <summary>Tumbling, hopping and session windows against the brute-force reference (<see cref="WindowReference"/>).</summary>
public sealed class WindowKindsTests(ITestOutputHelper output)
{
    private const long DisorderMs = 2_000;
    private const long LatenessMs = 1_500;

    [Theory]
    [InlineData(WindowKind.Tumbling)]
    [InlineData(WindowKind.Hopping)]
    [InlineData(WindowKind.Session)]
    public Task WindowByEventTime_100kOutOfOrderWithLateness_EqualsTheBruteForceReference(WindowKind kind) =>
        CompareWithReferenceAsync(kind, 100_000, seed: 7);

    [Theory]
    [Trait("Category", "Soak")]
    [InlineData(WindowKind.Tumbling)]
    [InlineData(WindowKind.Hopping)]
    [InlineData(WindowKind.Session)]
    public Task WindowByEventTime_1MOutOfOrderWithLateness_EqualsTheBruteForceReference(WindowKind kind) =>
        CompareWithReferenceAsync(kind, 1_000_000, seed: 42);

    [Theory]
    [InlineData(WindowKind.Tumbling, 0)]
    [InlineData(WindowKind.Hopping, 0)]
    [InlineData(WindowKind.Session, 0)]
    [InlineData(WindowKind.Tumbling, 1_000)] // lateness: the first emission may be partial, the last is complete
    public async Task WindowByEventTime_AsFinalResults_EachRecordCountedOnceAndFirstEmissionIsNotAnUpdate(WindowKind kind, long latenessMs)
    {
        var events = WindowReference.Events(20_000, seed: 3, keys: 7, values: 10, disorderMs: 500, slightlyLateMs: 3_000, farLateMs: 20_000);
        var options = Options(kind) with { AllowedLateness = TimeSpan.FromMilliseconds(latenessMs), MaxOutOfOrderness = TimeSpan.FromMilliseconds(500) };
        var (emitted, late, _) = await RunAsync(events, options, batchSize: 97);

        // Every accepted record counted once per window it fell in (a hopping record whose older windows were past the
        // lateness falls in the newer ones only), as the reference counts them.
        var final = WindowReference.Final(emitted, kind);
        var (expected, _) = WindowReference.Run(events, kind, 10_000, 2_000, 1_000, 500, latenessMs, collect: 3);
        Assert.Equal(expected.Sum(r => r.Count), final.Sum(r => r.Count));
        if (kind != WindowKind.Hopping)
        {
            Assert.Equal(events.Length - late.Count, final.Sum(r => r.Count));
        }
        foreach (var group in emitted.GroupBy(r => (r.Key, r.Start)))
        {
            Assert.False(group.First().IsUpdate);
            Assert.All(group.Skip(1), r => Assert.True(r.IsUpdate));
        }
    }

    [Theory]
    [InlineData(WindowKind.Tumbling)]
    [InlineData(WindowKind.Hopping)]
    [InlineData(WindowKind.Session)]
    public async Task Window_ProcessingTimeOnAFakeClock_EqualsTheBruteForceReference(WindowKind kind)
    {
        var clock = new ManualTimeProvider();
        var channel = Channel.CreateUnbounded<Ev>();
        var sink = new CollectionSink<WindowResult<int>>();
        var run = Pipeline.From(new ChannelSource<Ev>(channel.Reader), new PipelineOptions { TimeProvider = clock, BatchSize = 16 })
            .Window(e => e.Key, e => e.Value, Options(kind))
            .To(sink)
            .Build()
            .Start();

        // Groups of records at clock times 0-700 ms apart; each group is folded before the clock moves, so every record's
        // processing time is the clock's time when it was written.
        var random = new Random(5);
        var events = new List<Ev>();
        var written = 0;
        for (var step = 0; step < 120; step++)
        {
            var now = (long)(clock.GetUtcNow() - Reading.Epoch).TotalMilliseconds;
            for (var i = random.Next(0, 20); i > 0; i--)
            {
                var e = new Ev(events.Count, random.Next(4), now, random.Next(20));
                events.Add(e);
                await channel.Writer.WriteAsync(e);
            }

            written = events.Count;
            await LifecycleTests.WaitUntil(() => run.Statistics.RecordsRead == written && run.Statistics.RecordsInFlight == 0);
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 700)));
        }

        channel.Writer.Complete();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var (expected, late) = WindowReference.Run(events, kind, 10_000, 2_000, 1_000, 0, 0, collect: 3);
        Assert.Empty(late);
        Assert.Equal(WindowReference.Sorted(expected), WindowReference.Sorted(WindowReference.Final(sink.Records, kind)));
        Assert.All(sink.Records, r => Assert.False(r.IsUpdate));
        Assert.Equal(new SourcePosition(0, written), Assert.Single(run.AcknowledgedPositions));
    }

    [Fact]
    public async Task WindowByEventTime_UserAggregatorOverSessions_EqualsTheBruteForceReference()
    {
        var events = WindowReference.Events(30_000, seed: 9, keys: 11, values: 100, disorderMs: 1_000, slightlyLateMs: 2_000, farLateMs: 30_000);
        var options = Options(WindowKind.Session) with { MaxOutOfOrderness = TimeSpan.FromSeconds(1), AllowedLateness = TimeSpan.FromSeconds(1) };
        var sink = new CollectionSink<WindowOutput<int, long>>();
        var run = Pipeline.From(new CollectionSource<Ev>(events), new PipelineOptions { BatchSize = 200 })
            .WindowByEventTime(e => e.Time, e => e.Key, new EvenValueCount(), options)
            .OnError(e => e.Skip())
            .To(sink)
            .Build()
            .Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var actual = new Dictionary<int, List<(long Start, long End, long Evens)>>();
        foreach (var r in sink.Records)
        {
            var list = actual.TryGetValue(r.Key, out var l) ? l : actual[r.Key] = [];
            var item = (r.Start.ToUnixTimeMilliseconds(), r.End.ToUnixTimeMilliseconds(), r.Value);
            list.RemoveAll(p => item.Item1 <= p.Start && p.End <= item.Item2);
            list.Add(item);
        }

        // The reference keeps every item: count the even values of each final session from the events themselves.
        var (sessions, _) = WindowReference.Run(events.Select(e => e with { Value = e.Value % 2 == 0 ? 1 : 0 }).ToList(), WindowKind.Session, 0, 0, 1_000, 1_000, 1_000, collect: 0);
        Assert.Equal(
            sessions.Select(s => (s.Key, s.StartMs, s.EndMs, (long)s.Sum)).Order(),
            actual.SelectMany(p => p.Value.Select(v => (p.Key, v.Start, v.End, v.Evens))).Order());
    }

    [Fact]
    public async Task WindowByEventTime_StateBeyondTheByteBudget_FailsNamingTheBudgetAndCommitsNothing()
    {
        var source = new CountingSource(count: 200_000);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .WindowByEventTime(_ => Reading.Epoch, id => "key-" + id, id => id, new WindowOptions { Kind = WindowKind.Tumbling, Size = TimeSpan.FromHours(1), StateBudgetBytes = 1024 * 1024, Name = "budgeted" })
            .To(new CollectionSink<WindowResult<string>>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<WindowStateFullException>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(1024 * 1024, error.StateBudgetBytes);
        Assert.True(error.StateBytes > error.StateBudgetBytes);
        Assert.Contains("'budgeted'", error.Message, StringComparison.Ordinal);
        Assert.Contains("1048576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(source.Commits);
    }

    private static WindowOptions Options(WindowKind kind) => new()
    {
        Kind = kind,
        Size = TimeSpan.FromSeconds(10),
        Hop = kind == WindowKind.Hopping ? TimeSpan.FromSeconds(2) : null,
        Gap = TimeSpan.FromSeconds(1),
        DistinctCount = true,
        CollectLimit = 3,
    };

    private async Task CompareWithReferenceAsync(WindowKind kind, int count, int seed)
    {
        var events = WindowReference.Events(count, seed, keys: 50, values: 40, disorderMs: (int)DisorderMs, slightlyLateMs: 4_000, farLateMs: 60_000);
        var options = Options(kind) with
        {
            MaxOutOfOrderness = TimeSpan.FromMilliseconds(DisorderMs),
            AllowedLateness = TimeSpan.FromMilliseconds(LatenessMs),
            Gap = TimeSpan.FromMilliseconds(300),
        };
        var (expected, expectedLate) = WindowReference.Run(events, kind, 10_000, 2_000, 300, DisorderMs, LatenessMs, collect: 3);
        Assert.InRange(expectedLate.Count, count / 100, count / 25); // the 1% far behind, and some of the 2% a little behind

        var (emitted, late, run) = await RunAsync(events, options, batchSize: 333);

        var actual = WindowReference.Sorted(WindowReference.Final(emitted, kind));
        var reference = WindowReference.Sorted(expected);
        output.WriteLine($"{kind}: {count} events, {reference.Count} windows, {emitted.Count} emissions ({emitted.Count(r => r.IsUpdate)} updates), {late.Count} late");
        Assert.Equal(reference.Count, actual.Count);
        Assert.Equal(reference, actual);
        Assert.Equal(expectedLate, late.Order());
        Assert.Equal(new SourcePosition(0, count), Assert.Single(run.AcknowledgedPositions));
        Assert.True(emitted.Any(r => r.IsUpdate), "the lateness path was exercised");
    }

    /// <summary>Runs events through a window stage with the built-in aggregates; late records dead-lettered.</summary>
    internal static async Task<(List<WindowResult<int>> Emitted, List<int> Late, PipelineRun Run)> RunAsync(Ev[] events, WindowOptions options, int batchSize)
    {
        var sink = new CollectionSink<WindowResult<int>>();
        var deadLetters = new CollectionSink<DeadLetter>("late");
        var run = Pipeline.From(new CollectionSource<Ev>(events), new PipelineOptions { BatchSize = batchSize })
            .WindowByEventTime(e => e.Time, e => e.Key, e => e.Value, options)
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(5));
        Assert.All(deadLetters.Records, d => Assert.IsType<LateRecordException>(d.Exception));
        return ([.. sink.Records], [.. deadLetters.Records.Select(d => ((Ev)d.Value!).Index)], run);
    }

    /// <summary>A user aggregator: counts the even values (a struct state, merged for sessions).</summary>
    private sealed class EvenValueCount : IWindowAggregator<Ev, long, long>
    {
        public bool SizeVaries => false;

        public long Create() => 0;

        public void Add(ref long accumulator, Ev record, WindowElement element) => accumulator += record.Value % 2 == 0 ? 1 : 0;

        public void Merge(ref long into, ref long other) => into += other;

        public long Result(ref long accumulator) => accumulator;

        public long EstimateBytes(ref long accumulator) => 0;
    }
}
