using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Peers.Akka;

/// <summary>
/// <c>akka-streams</c> and <c>akka-streams-async</c> (Akka.Streams 1.5.75): the input array is the stream's source
/// (<c>Source.From</c>), stages are <c>Select</c> and <c>Where</c>, the sink is <c>Sink.ForEach</c>. <c>akka-streams</c>
/// leaves the graph as Akka fuses it by default (one actor runs every stage); <c>akka-streams-async</c> puts an
/// asynchronous boundary (<c>.Async()</c>) after the source and after every stage, so each stage runs in its own actor
/// with Akka's default buffers between them, as a user spreading the work over cores writes it. One actor system and
/// materializer serve every run (creating them is set-up, not work); a fresh graph is materialized per run.
/// </summary>
internal sealed class AkkaFamily(bool asyncBoundaries) : StageFamily
{
    private static readonly Lazy<(ActorSystem System, IMaterializer Materializer)> s_akka = new(() =>
    {
        var config = ConfigurationFactory.ParseString("akka { loglevel = ERROR, stdout-loglevel = ERROR }");
        var system = ActorSystem.Create("dataweaver-perf", config);
        return (system, system.Materializer());
    });

    public override string Name => asyncBoundaries ? PeerNames.AkkaStreamsAsync : PeerNames.AkkaStreams;

    /// <summary>Stops the actor system if a run started it.</summary>
    public static async Task ShutdownAsync()
    {
        if (s_akka.IsValueCreated)
        {
            await s_akka.Value.System.Terminate();
        }
    }

    public override Inlet<TIn> Open<TIn, TOut>(Func<Stages<TIn>, Stages<TOut>> shape, Action<TOut> sink) =>
        new AkkaInlet<TIn, TOut>(shape, sink, asyncBoundaries);

    private sealed class AkkaStages<T>(Source<T, NotUsed> source, bool async) : Stages<T>
    {
        public override Stages<TOut> Map<TOut>(Func<T, TOut> map) => new AkkaStages<TOut>(Boundary(source.Select(map), async), async);

        public override Stages<T> Filter(Func<T, bool> keep) => new AkkaStages<T>(Boundary(source.Where(new Predicate<T>(keep)), async), async);

        public override Task Into(Action<T> sink) => source.RunWith(Sink.ForEach(sink), s_akka.Value.Materializer);
    }

    private static Source<T, NotUsed> Boundary<T>(Source<T, NotUsed> stage, bool async) => async ? stage.Async() : stage;

    /// <summary>Akka's source pulls from the array itself: there is no per-record hand-over from a loop to time.</summary>
    private sealed class AkkaInlet<TIn, TOut>(Func<Stages<TIn>, Stages<TOut>> shape, Action<TOut> sink, bool async) : Inlet<TIn>
    {
        private Task _completion = Task.CompletedTask;

        public override ValueTask SendAsync(TIn item) =>
            throw new NotSupportedException("Akka.Streams peers read the whole input array as their source.");

        public override Task CompleteAsync() => _completion;

        public override Task SendAllAsync(TIn[] items)
        {
            var head = Boundary(Source.From(items), async);
            _completion = shape(new AkkaStages<TIn>(head, async)).Into(sink);
            return _completion;
        }
    }
}
