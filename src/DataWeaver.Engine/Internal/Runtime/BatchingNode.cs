using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;

namespace DataWeaver.Internal.Runtime;

/// <summary>
/// Re-cuts the stream into batches of <c>size</c> records, or fewer when <c>window</c> has passed since the
/// first record of the batch arrived, or when the source waits for in-flight credits (the records held here
/// pin them: without an early flush a batch that can't fill would stall the pipeline). Each output batch
/// holds references to the resources of every input batch it took records from.
/// </summary>
internal sealed class BatchingNode<T>
{
    private static readonly Batch<T> s_tick = new();
    private static readonly Batch<T> s_end = new();
    private static readonly Batch<T> s_pressure = new();

    private readonly string _name;
    private readonly int _size;
    private readonly TimeSpan? _window;
    private readonly BatchTarget<T> _output;
    private readonly RunContext _run;
    private readonly TimeProvider _time;
    private readonly ActionBlock<Batch<T>> _block;
    private readonly BlockCounters? _counters;
    private Batch<T>? _current;
    private long _startedAt;
    private int _pressureSignalled;

    public BatchingNode(string name, int size, TimeSpan? window, int boundedCapacity, BatchTarget<T> output, RunContext run, BlockCounters? counters)
    {
        _name = name;
        _counters = counters;
        _size = size;
        _window = window;
        _output = output;
        _run = run;
        _time = run.Options.TimeProvider;
        _block = new ActionBlock<Batch<T>>(ProcessAsync, NodeBlocks.Options(run, boundedCapacity, 1));
        run.Track(_block.Completion);
        NodeBlocks.CompleteOnSuccess(_block.Completion, output);
        if (window is { } period)
        {
            var timer = _time.CreateTimer(static state => ((ActionBlock<Batch<T>>)state!).Post(s_tick), _block, period, period);
            _block.Completion.ContinueWith(_ => timer.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        run.OnPressure(SignalPressure);
        counters?.ObserveQueue(() => _block.InputCount);
        Input = new EndSignallingTarget<T>(_block, s_end, run, counters);
    }

    public BatchTarget<T> Input { get; }

    private async Task ProcessAsync(Batch<T> input)
    {
        try
        {
            if (ReferenceEquals(input, s_tick))
            {
                if (_current is not null && WindowPassed())
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                return;
            }

            if (ReferenceEquals(input, s_pressure))
            {
                Volatile.Write(ref _pressureSignalled, 0);
                if (_current is not null)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                return;
            }

            if (ReferenceEquals(input, s_end))
            {
                if (_current is not null)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                return;
            }

            var started = _counters?.Begin(input.Count) ?? 0;
            var offset = 0;
            while (offset < input.Count)
            {
                if (_current is null)
                {
                    _current = Batch<T>.Rent(_size);
                    _startedAt = _time.GetTimestamp();
                }

                var take = Math.Min(_size - _current.Count, input.Count - offset);
                input.Span.Slice(offset, take).CopyTo(_current.Items.AsSpan(_current.Count));
                _current.Count += take;
                _current.Bytes += input.Bytes * take / input.Count;
                input.ShareResourcesWith(_current);
                offset += take;
                if (_current.Count == _size)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }

            input.Release();
            _counters?.End(started);
            if (_current is not null && (WindowPassed() || _run.UnderPressure))
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private void SignalPressure()
    {
        if (Interlocked.Exchange(ref _pressureSignalled, 1) == 0)
        {
            _ = _block.SendAsync(s_pressure, _run.AbortToken);
        }
    }

    private bool WindowPassed() => _window is { } window && _time.GetElapsedTime(_startedAt) >= window;

    private ValueTask FlushAsync()
    {
        var batch = _current!;
        _current = null;
        return _output.SendAsync(batch, _run.AbortToken);
    }
}
