using DataWeaver.Connectors;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>A sink of any record type, for validation.</summary>
internal abstract class SinkDefinitionBase(string? name) : TerminalDefinition("sink", name)
{
    public override bool AcceptsErrorPolicy => true;

    public abstract object SinkObject { get; }
}

internal sealed class SinkDefinition<T>(SinkConnector<T> sink, StageOptions options) : SinkDefinitionBase(options.Name ?? sink.Name)
{
    public override object SinkObject => Sink;

    public SinkConnector<T> Sink { get; } = sink;

    public StageOptions Options { get; } = options;

    public override PlanNode Compile(PipelineOptions options, CompileContext context)
    {
        context.AddSink(Sink);
        return new SinkPlan<T>(this, options);
    }

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in BoundaryDefinition.ValidateStageOptions(this, Options))
        {
            yield return error;
        }

        if (Options.Ordering == StageOrdering.KeyOrdered)
        {
            yield return $"Sink '{DisplayName}': Ordering KeyOrdered is not supported at a sink; put ParallelByKey before it.";
        }
    }
}

internal sealed class BroadcastDefinition<T>(string? name, IReadOnlyList<BranchState> branches) : TerminalDefinition("broadcast", name)
{
    public override IEnumerable<BranchState> Branches => branches;

    public override PlanNode Compile(PipelineOptions options, CompileContext context) =>
        new FanOutPlan<T>(this, [.. branches.Select(b => (PlanNode<T>)context.CompileBranch<T>(b))], predicates: null);

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        if (branches.Count < 2)
        {
            yield return $"Stage '{DisplayName}': Broadcast needs at least 2 branches (has {branches.Count}).";
        }
    }
}

internal sealed class RouteDefinition<T>(string? name, IReadOnlyList<(Func<T, bool>? Predicate, BranchState Branch)> routes)
    : TerminalDefinition("route", name)
{
    public override IEnumerable<BranchState> Branches => routes.Select(r => r.Branch);

    public override PlanNode Compile(PipelineOptions options, CompileContext context) =>
        new FanOutPlan<T>(
            this,
            [.. routes.Select(r => (PlanNode<T>)context.CompileBranch<T>(r.Branch))],
            [.. routes.Select(r => r.Predicate)]);

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        if (routes.Count == 0)
        {
            yield return $"Stage '{DisplayName}': Route needs at least one When(...) or Otherwise(...) branch.";
        }

        var otherwise = routes.Count(r => r.Predicate is null);
        if (otherwise > 1)
        {
            yield return $"Stage '{DisplayName}': Route has {otherwise} Otherwise branches; at most one is allowed.";
        }
        else if (otherwise == 1 && routes[^1].Predicate is not null)
        {
            yield return $"Stage '{DisplayName}': Otherwise must be the last branch of a Route.";
        }
    }
}
