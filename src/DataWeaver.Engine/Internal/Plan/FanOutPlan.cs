using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>Broadcast (every branch gets every record) or route (each record takes the first branch whose predicate holds).</summary>
internal sealed class FanOutPlan<T>(TerminalDefinition definition, IReadOnlyList<PlanNode<T>> branches, IReadOnlyList<Func<T, bool>?>? predicates)
    : PlanNode<T>
{
    public override BatchTarget<T> Instantiate(RunContext run)
    {
        BatchTarget<T>[] targets = [.. branches.Select(b => b.Instantiate(run))];
        var counters = run.Metrics?.Block(this);
        return predicates is null
            ? new BroadcastTarget<T>(targets, counters)
            : new RouteTarget<T>(targets, [.. predicates], run, definition.DisplayName, counters);
    }

    public override string Describe(GraphWriter writer)
    {
        var id = writer.AddBlock(new GraphBlock
        {
            Name = definition.DisplayName,
            Kind = GraphBlockKind.FanOut,
            Operators = [definition.Kind],
            DegreeOfParallelism = 1,
            Ordering = StageOrdering.Ordered,
            Dataflow = "none (runs in the sending block)",
        }, owner: this);
        for (var i = 0; i < branches.Count; i++)
        {
            var label = predicates is null ? $"copy {i + 1}" : predicates[i] is null ? "otherwise" : $"when #{i + 1}";
            writer.AddEdge(id, branches[i].Describe(writer), label);
        }

        return id;
    }
}
