using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Harness;

/// <summary>The pipeline options the DataWeaver peers of W1 and W2 (in-memory records of 8-24 bytes, where the per-batch costs show most) set, as a user tuning for throughput would.</summary>
internal static class EngineOptions
{
    /// <summary>
    /// Batches of 4,096 records and 4 batches per block (16,384 records). Until December 2026 the defaults were 1,024 and
    /// 4,096, and this was the tuning that made W1/W2 fast (a block hand-off that wakes a thread costs microseconds of
    /// CPU whatever the batch holds); the defaults are now the same, so <c>dataweaver-defaults</c> checks that they stay
    /// so. Batches of 8,192 measured another 5-10 % less CPU per record in steady state, within the noise of quick runs.
    /// </summary>
    public static PipelineOptions Throughput { get; } = new() { BatchSize = 4096, DefaultStageCapacity = 4 * 4096 };
}
