using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Harness;

/// <summary>The pipeline options the DataWeaver peers of W1 and W2 (in-memory records of 8-24 bytes, where the per-batch costs show most) set, as a user tuning for throughput would.</summary>
internal static class EngineOptions
{
    /// <summary>
    /// Batches of 4,096 records instead of the default 1,024, and 4 batches per block (16,384 records): a block hand-off
    /// and the per-batch bookkeeping (lease, tasks) cost the same for any batch, so bigger batches cut them per record
    /// by four. The in-flight bound stays the default 65,536 records.
    /// </summary>
    public static PipelineOptions Throughput { get; } = new() { BatchSize = 4096, DefaultStageCapacity = 4 * 4096 };
}
