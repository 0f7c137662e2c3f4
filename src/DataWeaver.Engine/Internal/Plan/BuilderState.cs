using DataWeaver.Connectors;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using ErrorHandlingPolicy = DataWeaver.Pipelines.ErrorHandling.ErrorPolicy;

namespace DataWeaver.Internal.Plan;

/// <summary>What every builder of one pipeline shares: the stages recorded so far and whether it was built.</summary>
internal sealed class BuilderState(PipelineOptions options, Connector source, Func<BuilderState, CompileContext, SourcePlan> compileSource)
{
    private int _nextIndex;
    private bool _built;

    public PipelineOptions Options { get; } = options;

    public Connector Source { get; } = source;

    public BranchState Root { get; } = new();

    /// <summary>Gets or sets the error policy for records the source rejects (OnError right after From).</summary>
    public ErrorHandlingPolicy? SourcePolicy { get; set; }

    public void Add(BranchState branch, StageDefinition stage)
    {
        EnsureNotBuilt();
        stage.Index = ++_nextIndex;
        branch.Stages.Add(stage);
    }

    public void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("Cannot add stages to the builder after it has been used to build a pipeline once.");
        }
    }

    public Pipeline Build()
    {
        EnsureNotBuilt();
        List<string> errors = [.. Options.Validate()];
        HashSet<object> sinks = new(ReferenceEqualityComparer.Instance);
        ValidateBranch(Root, isRoot: true, errors, sinks);
        foreach (var deadLetters in DeadLetterSinks(Root).Append(Options.ErrorPolicy.DeadLetterSink).Append(SourcePolicy?.DeadLetterSink).OfType<Connector>().Distinct())
        {
            if (sinks.Contains(deadLetters))
            {
                errors.Add($"Sink '{deadLetters.Name}' is both a sink of the pipeline and a dead-letter sink; give dead letters a sink of their own.");
            }
        }
        errors.AddRange(FileSafetyRules.Check(Source, sinks.OfType<Connector>(), DeadLetterSinks(Root).Append(Options.ErrorPolicy.DeadLetterSink).Append(SourcePolicy?.DeadLetterSink).OfType<Connector>().Distinct()));
        if (errors.Count > 0)
        {
            throw new PipelineConfigurationException(errors.Select(e => $"pipeline '{Options.Name}': {e}").ToList());
        }

        _built = true;
        var context = new CompileContext(Options);
        var plan = compileSource(this, context);
        var mainSinks = context.Sinks.Count;
        foreach (var deadLetters in DeadLetterSinks(Root).Append(Options.ErrorPolicy.DeadLetterSink).Append(SourcePolicy?.DeadLetterSink).OfType<Connector>().Distinct())
        {
            context.AddSink(deadLetters);
        }

        return new Pipeline(Options, plan, context.Sinks) { MainSinkCount = mainSinks };
    }

    private static IEnumerable<Connector?> DeadLetterSinks(BranchState branch) =>
        branch.Stages.SelectMany(stage => (stage is TerminalDefinition terminal ? terminal.Branches.SelectMany(DeadLetterSinks) : [])
            .Prepend(stage.Policy?.DeadLetterSink));

    private void ValidateBranch(BranchState branch, bool isRoot, List<string> errors, HashSet<object> sinks)
    {
        var stages = branch.Stages;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            errors.AddRange(stage.Validate(Options));
            if (stage is not TerminalDefinition terminal)
            {
                continue;
            }

            if (stage is SinkDefinitionBase sink && !sinks.Add(sink.SinkObject))
            {
                errors.Add($"Sink '{sink.DisplayName}': the same sink connector instance is used twice; give each branch its own sink.");
            }

            if (i < stages.Count - 1)
            {
                errors.Add($"Stage '{stages[i + 1].DisplayName}' comes after {terminal.Kind} '{terminal.DisplayName}': a {terminal.Kind} ends its branch. Use Broadcast or Route to write to several sinks.");
            }

            foreach (var child in terminal.Branches)
            {
                ValidateBranch(child, isRoot: false, errors, sinks);
            }

            return;
        }

        errors.Add(stages.Count == 0
            ? (isRoot ? $"the pipeline reading from '{Source.Name}' has no sink: end it with To(sink)." : "a branch has no stages and no sink: end every branch with To(sink).")
            : $"the branch ending at stage '{stages[^1].DisplayName}' has no sink: end it with To(sink).");
    }
}
