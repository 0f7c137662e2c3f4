using DataWeaver.Pipelines;

namespace DataWeaver.Testing.Contracts;

/// <summary>Starts contract pipelines so that their commits reach the test's context.</summary>
internal static class ContractRuns
{
    /// <summary>Starts the pipeline and records every commit in <see cref="ContractContext.CommittedOffsets"/>.</summary>
    public static PipelineRun StartIn(this Pipeline pipeline, ContractContext context)
    {
        var run = pipeline.Start();
        run.Committed += context.OnCommitted;
        return run;
    }
}
