using DataWeaver.Internal.Operators;
using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Internal.Plan;

/// <summary>One step of a pipeline as the builder recorded it, before compilation.</summary>
internal abstract class StageDefinition(string kind, string? name)
{
    public string Kind { get; } = kind;

    public string? Name { get; } = name;

    /// <summary>Gets the stage's 1-based position in the order stages were added.</summary>
    public int Index { get; set; }

    public string DisplayName => Name ?? $"{Kind}{Index}";

    /// <summary>Gets or sets the stage's own error policy (set by <c>OnError</c>); <see langword="null"/> uses the pipeline's.</summary>
    public ErrorPolicy? Policy { get; set; }

    /// <summary>Gets a value indicating whether <c>OnError</c> may set this stage's policy.</summary>
    public virtual bool AcceptsErrorPolicy => false;

    public virtual IEnumerable<string> Validate(PipelineOptions options) => [];
}

/// <summary>A per-record operator: fused with its neighbours into one block.</summary>
internal abstract class OperatorDefinition(string kind, string? name) : StageDefinition(kind, name)
{
    public override bool AcceptsErrorPolicy => true;

    /// <summary>Gets the step this operator contributes to a fused chain of maps and filters, or <see langword="null"/> when it does not fuse.</summary>
    public virtual FusableStep? Step => null;

    /// <summary>Whether the operator's error policy does more than fail the run (it then has an error handler).</summary>
    public bool HasErrorHandler(RunContext run) => !(Policy ?? run.Options.ErrorPolicy).IsFailFast;

    /// <summary>Creates the operator of one worker, with an error handler when its policy does more than fail.</summary>
    public BatchOperator CreateOperator(RunContext run)
    {
        var policy = Policy ?? run.Options.ErrorPolicy;
        var op = CreateOperator(policy.IsFailFast ? null : new RecordErrorHandler(DisplayName, policy, run));
        op.Run = run;
        return op;
    }

    protected abstract BatchOperator CreateOperator(RecordErrorHandler? errors);
}

internal sealed class OperatorDefinition<TOperator>(string kind, string? name, Func<RecordErrorHandler?, TOperator> create, FusableStep? step = null)
    : OperatorDefinition(kind, name)
    where TOperator : BatchOperator
{
    public override FusableStep? Step => step;

    protected override BatchOperator CreateOperator(RecordErrorHandler? errors) => create(errors);
}

/// <summary>Where a new block starts: a change of parallelism, ordering or batching.</summary>
internal abstract class BoundaryDefinition(string kind, string? name, StageOptions options) : StageDefinition(kind, name)
{
    public StageOptions Options { get; } = options;

    /// <summary>Compiles this boundary with the operators that follow it, feeding <paramref name="next"/>.</summary>
    public abstract PlanNode Compile(IReadOnlyList<OperatorDefinition> operators, PlanNode next, PipelineOptions options);

    public override IEnumerable<string> Validate(PipelineOptions options) => ValidateStageOptions(this, Options);

    internal static IEnumerable<string> ValidateStageOptions(StageDefinition stage, StageOptions options)
    {
        if (options.DegreeOfParallelism is < 1 or > StageOptions.MaxDegreeOfParallelism)
        {
            yield return $"Stage '{stage.DisplayName}': DegreeOfParallelism must be from 1 to {StageOptions.MaxDegreeOfParallelism} (was {options.DegreeOfParallelism}).";
        }

        if (options.Capacity is < 1)
        {
            yield return $"Stage '{stage.DisplayName}': Capacity must be at least 1 record (was {options.Capacity}).";
        }

        if (options.CapacityBytes is < 1)
        {
            yield return $"Stage '{stage.DisplayName}': CapacityBytes must be at least 1 byte (was {options.CapacityBytes}).";
        }
    }
}

/// <summary>A step that ends a branch: a sink, or a fan-out into branches that end in sinks.</summary>
internal abstract class TerminalDefinition(string kind, string? name) : StageDefinition(kind, name)
{
    public abstract PlanNode Compile(PipelineOptions options, CompileContext context);

    /// <summary>Gets the branches this terminal fans out into, if any.</summary>
    public virtual IEnumerable<BranchState> Branches => [];
}

/// <summary>The stages of one branch of the pipeline, in the order they were added.</summary>
internal sealed class BranchState
{
    public List<StageDefinition> Stages { get; } = [];
}
