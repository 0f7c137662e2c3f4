using System.Threading.Tasks.Dataflow;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;

namespace DataWeaver.Internal.Stateful;

/// <summary>
/// A stateful node that handles its input one batch at a time on one worker (its state needs no lock), told also of
/// clock ticks (when it has a period) and of the end of its input before its block completes.
/// </summary>
internal abstract class SerialNode<TIn, TOut>
{
    private static readonly Batch<TIn> s_tick = new();
    private static readonly Batch<TIn> s_end = new();

    private readonly ActionBlock<Batch<TIn>> _block;
    private readonly BatchTarget<TOut> _output;

    protected SerialNode(string name, int boundedCapacity, BatchTarget<TOut> output, RunContext run, BlockCounters? counters, TimeSpan? tickPeriod)
    {
        Name = name;
        Run = run;
        Counters = counters;
        _output = output;
        _block = new ActionBlock<Batch<TIn>>(ProcessAsync, NodeBlocks.Options(run, boundedCapacity, 1));
        run.Track(_block.Completion);
        NodeBlocks.CompleteOnSuccess(_block.Completion, output);
        if (tickPeriod is { } period)
        {
            var timer = run.Options.TimeProvider.CreateTimer(static state => ((ActionBlock<Batch<TIn>>)state!).Post(s_tick), _block, period, period);
            _block.Completion.ContinueWith(_ => timer.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        counters?.ObserveQueue(() => _block.InputCount);
        Input = new EndSignallingTarget<TIn>(_block, s_end, run, counters);
    }

    public BatchTarget<TIn> Input { get; }

    protected string Name { get; }

    protected RunContext Run { get; }

    protected BlockCounters? Counters { get; }

    /// <summary>Handles one input batch; owns it (passes it on or releases it).</summary>
    protected abstract ValueTask OnBatchAsync(Batch<TIn> batch);

    /// <summary>Runs on every clock tick.</summary>
    protected virtual ValueTask OnTickAsync() => default;

    /// <summary>Runs once the input ended, before the block completes.</summary>
    protected virtual ValueTask OnEndAsync() => default;

    /// <summary>Sends a batch downstream, waiting while the next block is full.</summary>
    protected ValueTask SendAsync(Batch<TOut> batch) => _output.SendAsync(batch, Run.AbortToken);

    private async Task ProcessAsync(Batch<TIn> input)
    {
        try
        {
            if (ReferenceEquals(input, s_tick))
            {
                await OnTickAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(input, s_end))
            {
                await OnEndAsync().ConfigureAwait(false);
            }
            else
            {
                var started = Counters?.Begin(input.Count) ?? 0;
                if (Tracing.Internal.BatchTracing.Enabled && Tracing.Internal.BatchTracing.StartStage(input, Name) is { } stage)
                {
                    await Tracing.Internal.BatchTracing.StopAfter(OnBatchAsync(input), stage).ConfigureAwait(false); // the stage span (Tracing/)
                }
                else
                {
                    await OnBatchAsync(input).ConfigureAwait(false);
                }

                Counters?.End(started);
            }
        }
        catch (Exception exception)
        {
            Run.Fail(exception, Name);
            throw;
        }
    }
}
