using System.Threading.Channels;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Peers.Channels;

/// <summary>
/// <c>channels</c>: one task per stage between bounded channels (1,024 records, single reader and writer, waiting
/// when full), each stage written the efficient way: <c>WaitToReadAsync</c> then <c>TryRead</c> in a loop, <c>TryWrite</c>
/// before falling back to <c>WriteAsync</c>.
/// </summary>
internal sealed class ChannelFamily : StageFamily
{
    /// <summary>The bound of each channel in records.</summary>
    public const int Capacity = 1024;

    private static readonly BoundedChannelOptions Options = new(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait };

    public override string Name => PeerNames.Channels;

    public override Inlet<TIn> Open<TIn, TOut>(Func<Stages<TIn>, Stages<TOut>> shape, Action<TOut> sink)
    {
        var first = Channel.CreateBounded<TIn>(Options);
        var completion = shape(new ChannelStages<TIn>(first.Reader)).Into(sink);
        return new ChannelInlet<TIn>(first.Writer, completion);
    }

    private sealed class ChannelStages<T>(ChannelReader<T> input) : Stages<T>
    {
        public override Stages<TOut> Map<TOut>(Func<T, TOut> map)
        {
            var output = Channel.CreateBounded<TOut>(Options);
            _ = Task.Run(() => PumpAsync(input, output.Writer, map, static _ => true));
            return new ChannelStages<TOut>(output.Reader);
        }

        public override Stages<T> Filter(Func<T, bool> keep)
        {
            var output = Channel.CreateBounded<T>(Options);
            _ = Task.Run(() => PumpAsync(input, output.Writer, static item => item, keep));
            return new ChannelStages<T>(output.Reader);
        }

        public override Task Into(Action<T> sink) => Task.Run(async () =>
        {
            while (await input.WaitToReadAsync())
            {
                while (input.TryRead(out var item))
                {
                    sink(item);
                }
            }
        });

        private static async Task PumpAsync<TOut>(ChannelReader<T> reader, ChannelWriter<TOut> writer, Func<T, TOut> map, Func<TOut, bool> keep)
        {
            try
            {
                while (await reader.WaitToReadAsync())
                {
                    while (reader.TryRead(out var item))
                    {
                        var result = map(item);
                        if (keep(result) && !writer.TryWrite(result))
                        {
                            await writer.WriteAsync(result);
                        }
                    }
                }

                writer.Complete();
            }
            catch (Exception error)
            {
                writer.Complete(error);
            }
        }
    }

    private sealed class ChannelInlet<T>(ChannelWriter<T> writer, Task completion) : Inlet<T>
    {
        public override ValueTask SendAsync(T item) => writer.TryWrite(item) ? default : writer.WriteAsync(item);

        public override Task CompleteAsync()
        {
            writer.Complete();
            return completion;
        }
    }
}
