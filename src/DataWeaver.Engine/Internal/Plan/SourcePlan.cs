using DataWeaver.Connectors;
using DataWeaver.Internal.Runtime;
using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.Internal.Plan;

/// <summary>The root of a compiled plan: the source and the graph it feeds.</summary>
internal abstract class SourcePlan
{
    public abstract Connector Source { get; }

    public abstract string Describe(GraphWriter writer);

    /// <summary>Creates the blocks of one run and the source's reading loop.</summary>
    public abstract SourceRun Instantiate(RunContext run, CapacityGate gate, CancellationToken readToken);
}

/// <summary>What a run needs of its source: the reading loop, positions, commits.</summary>
internal abstract class SourceRun(AcknowledgementTracker tracker)
{
    public AcknowledgementTracker Tracker { get; } = tracker;

    public abstract long RecordsRead { get; }

    public abstract Task RunAsync();

    public abstract ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken);
}

internal sealed class SourcePlan<T>(SourceConnector<T> source, PlanNode<T> first, Pipelines.ErrorHandling.ErrorPolicy? policy) : SourcePlan
{
    public override Connector Source => source;

    public override string Describe(GraphWriter writer)
    {
        var id = writer.AddBlock(new GraphBlock
        {
            Name = source.Name,
            Kind = GraphBlockKind.Source,
            Operators = ["read"],
            Connector = GraphWriter.TypeName(source.GetType()),
            Dataflow = "reading loop (a task)",
        }, owner: this);
        writer.AddEdge(id, first.Describe(writer), label: null);
        return id;
    }

    public override SourceRun Instantiate(RunContext run, CapacityGate gate, CancellationToken readToken)
    {
        var continuous = run.Options.CommitInterval == TimeSpan.Zero;
        var tracker = new AcknowledgementTracker(
            gate,
            position =>
            {
                source.OnAcknowledged(position);
                run.WatermarkAdvanced?.Invoke();
            },
            holdUntilCommitted: continuous,
            run.Metrics);
        var pump = new SourcePump<T>(source, first.Instantiate(run), run, gate, tracker, policy ?? run.Options.ErrorPolicy, run.Metrics?.Block(this), readToken);
        return new Run(source, pump, tracker);
    }

    private sealed class Run(SourceConnector<T> source, SourcePump<T> pump, AcknowledgementTracker tracker) : SourceRun(tracker)
    {
        public override long RecordsRead => pump.RecordsRead;

        public override Task RunAsync() => pump.RunAsync();

        public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken) =>
            source.CommitAsync(positions, cancellationToken);
    }
}
