using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Peers.Rx;

/// <summary>
/// <c>rx</c> and <c>rx-observeon</c> (System.Reactive 6.0.1): the source loop pushes into a <see cref="Subject{T}"/>,
/// stages are <c>Select</c> and <c>Where</c>, the sink is the subscriber. <c>rx</c> runs synchronously on the source's
/// thread; <c>rx-observeon</c> moves the chain to another thread with one <c>ObserveOn(TaskPoolScheduler.Default)</c>
/// right after the subject (an unbounded queue: Rx has no backpressure).
/// </summary>
internal sealed class RxFamily(bool observeOn) : StageFamily
{
    public override string Name => observeOn ? PeerNames.RxObserveOn : PeerNames.Rx;

    public override Inlet<TIn> Open<TIn, TOut>(Func<Stages<TIn>, Stages<TOut>> shape, Action<TOut> sink)
    {
        var subject = new Subject<TIn>();
        var head = observeOn ? subject.ObserveOn(TaskPoolScheduler.Default) : subject;
        var completion = shape(new RxStages<TIn>(head)).Into(sink);
        return new RxInlet<TIn>(subject, completion);
    }

    private sealed class RxStages<T>(IObservable<T> observable) : Stages<T>
    {
        public override Stages<TOut> Map<TOut>(Func<T, TOut> map) => new RxStages<TOut>(observable.Select(map));

        public override Stages<T> Filter(Func<T, bool> keep) => new RxStages<T>(observable.Where(keep));

        public override Task Into(Action<T> sink)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            observable.Subscribe(sink, error => done.TrySetException(error), () => done.TrySetResult());
            return done.Task;
        }
    }

    private sealed class RxInlet<T>(Subject<T> subject, Task completion) : Inlet<T>
    {
        public override ValueTask SendAsync(T item)
        {
            subject.OnNext(item);
            return default;
        }

        public override Task CompleteAsync()
        {
            subject.OnCompleted();
            return completion;
        }
    }
}
