using System.Threading.Tasks.Dataflow;

namespace DataWeaver.Internal.Runtime;

/// <summary>Helpers shared by the nodes: block options, byte gates, completion hand-over.</summary>
internal static class NodeBlocks
{
    public static ExecutionDataflowBlockOptions Options(RunContext run, int boundedCapacity, int degreeOfParallelism, bool ensureOrdered = true) => new()
    {
        BoundedCapacity = boundedCapacity,
        MaxDegreeOfParallelism = degreeOfParallelism,
        CancellationToken = run.AbortToken,
        EnsureOrdered = ensureOrdered,
        SingleProducerConstrained = false,
    };

    public static CapacityGate? ByteGate(long? capacityBytes) =>
        capacityBytes is { } bytes ? new CapacityGate(long.MaxValue, bytes) : null;

    /// <summary>When <paramref name="completion"/> succeeds, completes <paramref name="next"/>; failures are the run's business.</summary>
    public static void CompleteOnSuccess<T>(Task completion, BatchTarget<T> next) =>
        completion.ContinueWith(
            static (task, state) =>
            {
                if (task.Status == TaskStatus.RanToCompletion)
                {
                    ((BatchTarget<T>)state!).Complete();
                }
            },
            next,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
