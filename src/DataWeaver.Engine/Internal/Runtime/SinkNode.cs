using System.Threading.Tasks.Dataflow;
using DataWeaver.Connectors;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Runtime;

/// <summary>A sink's block: runs the sink's process step, then hands the batch to the sink with its acknowledgement.</summary>
internal sealed class SinkNode<T>
{
    private readonly string _name;
    private readonly SinkConnector<T> _sink;
    private readonly RunContext _run;
    private readonly CapacityGate? _gate;
    private readonly bool _process;

    public SinkNode(string name, SinkConnector<T> sink, StageOptions options, int boundedCapacity, RunContext run)
    {
        _name = name;
        _sink = sink;
        _run = run;
        _process = sink.OverridesProcess;
        _gate = NodeBlocks.ByteGate(options.CapacityBytes);
        var block = new ActionBlock<Batch<T>>(
            WriteAsync,
            NodeBlocks.Options(run, boundedCapacity, options.DegreeOfParallelism, ensureOrdered: false));
        run.Track(block.Completion);
        Input = new BlockTarget<T>(block, _gate);
    }

    public BatchTarget<T> Input { get; }

    private Task WriteAsync(Batch<T> batch)
    {
        var count = batch.Count;
        var bytes = batch.Bytes;
        try
        {
            if (_process)
            {
                var items = batch.Items;
                for (var i = 0; i < count; i++)
                {
                    items[i] = _sink.Process(items[i]);
                }
            }

            var write = _sink.WriteBatchAsync(batch.Memory, new SinkAcknowledgement(batch, batch.Generation), _run.AbortToken);
            if (write.IsCompletedSuccessfully)
            {
                Done(count, bytes);
                return Task.CompletedTask;
            }

            return AwaitWriteAsync(write, count, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private async Task AwaitWriteAsync(ValueTask write, int count, long bytes)
    {
        try
        {
            await write.ConfigureAwait(false);
            Done(count, bytes);
        }
        catch (Exception exception)
        {
            _run.Fail(exception, _name);
            throw;
        }
    }

    private void Done(int count, long bytes)
    {
        _run.AddWritten(count);
        _gate?.Release(0, bytes);
    }
}
