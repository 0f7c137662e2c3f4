using DataWeaver.Connectors;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>Turns validated stage definitions into plan nodes, back to front, and collects the sinks.</summary>
internal sealed class CompileContext(PipelineOptions options)
{
    private readonly List<Connector> _sinks = [];

    public IReadOnlyList<Connector> Sinks => _sinks;

    public void AddSink(Connector sink) => _sinks.Add(sink);

    public PlanNode CompileBranch<T>(BranchState branch, IReadOnlyList<OperatorDefinition>? headOperators = null) =>
        Compile(new StageBoundary<T>("stage", null, StageOptions.Default, implicitHead: true), branch.Stages, 0, headOperators ?? []);

    private PlanNode Compile(BoundaryDefinition head, List<StageDefinition> stages, int start, IReadOnlyList<OperatorDefinition> headOperators)
    {
        List<OperatorDefinition> operators = [.. headOperators];
        var i = start;
        while (stages[i] is OperatorDefinition op)
        {
            operators.Add(op);
            i++;
        }

        var next = stages[i] switch
        {
            BoundaryDefinition boundary => Compile(boundary, stages, i + 1, []),
            TerminalDefinition terminal => terminal.Compile(options, this),
            _ => throw new InvalidOperationException($"Unknown stage kind {stages[i].GetType()}."),
        };
        return head.Compile(operators, next, options);
    }
}
