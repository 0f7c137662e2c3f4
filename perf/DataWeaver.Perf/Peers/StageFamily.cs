namespace DataWeaver.Perf.Peers;

/// <summary>
/// A chain of per-record stages as one peer family builds it (one Dataflow block, one channel task, one Rx operator
/// per stage). A workload describes its stages once, <c>s =&gt; s.Map(parse).Filter(keep).Map(scale)</c>, and every
/// family runs that description its own way, so the peers do exactly the same per-record work.
/// </summary>
/// <typeparam name="T">The record type at this point of the chain.</typeparam>
internal abstract class Stages<T>
{
    /// <summary>Adds a stage that transforms each record.</summary>
    public abstract Stages<TOut> Map<TOut>(Func<T, TOut> map);

    /// <summary>Adds a stage that keeps the records for which <paramref name="keep"/> holds.</summary>
    public abstract Stages<T> Filter(Func<T, bool> keep);

    /// <summary>Ends the chain in a sink called once per record, in order; returns the chain's completion.</summary>
    public abstract Task Into(Action<T> sink);
}

/// <summary>Where the source loop of a peer hands its records to the chain.</summary>
/// <typeparam name="T">The record type.</typeparam>
internal abstract class Inlet<T>
{
    /// <summary>Hands one record over, waiting when the chain is full (bounded peers).</summary>
    public abstract ValueTask SendAsync(T item);

    /// <summary>Signals the end of the input and waits until the sink has seen every record.</summary>
    public abstract Task CompleteAsync();

    /// <summary>Sends every record of <paramref name="items"/>, then completes.</summary>
    public virtual async Task SendAllAsync(T[] items)
    {
        foreach (var item in items)
        {
            var send = SendAsync(item);
            if (!send.IsCompletedSuccessfully)
            {
                await send;
            }
        }

        await CompleteAsync();
    }
}

/// <summary>A peer family: naive Dataflow (bounded or not), channels, Rx (with or without ObserveOn).</summary>
internal abstract class StageFamily
{
    /// <summary>Gets the peer name (see <see cref="Harness.PeerNames"/>).</summary>
    public abstract string Name { get; }

    /// <summary>Builds a fresh chain (blocks, channels and subscriptions are single-use) and returns its inlet.</summary>
    public abstract Inlet<TIn> Open<TIn, TOut>(Func<Stages<TIn>, Stages<TOut>> shape, Action<TOut> sink);

    /// <summary>The five families, in table order.</summary>
    public static IReadOnlyList<StageFamily> All { get; } =
    [
        new Dataflow.DataflowFamily(bounded: false),
        new Dataflow.DataflowFamily(bounded: true),
        new Channels.ChannelFamily(),
        new Rx.RxFamily(observeOn: false),
        new Rx.RxFamily(observeOn: true),
    ];

    /// <summary>Akka.Streams fused and with asynchronous boundaries (W1, W2: the in-memory comparisons).</summary>
    public static IReadOnlyList<StageFamily> Akka { get; } = [new Akka.AkkaFamily(asyncBoundaries: false), new Akka.AkkaFamily(asyncBoundaries: true)];

    /// <summary>The families without Rx (W3, W4: see docs/perf/README.md).</summary>
    public static IReadOnlyList<StageFamily> WithoutRx { get; } = [.. All.Where(f => f is not Rx.RxFamily)];
}
