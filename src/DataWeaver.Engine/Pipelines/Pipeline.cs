using DataWeaver.Connectors;
using DataWeaver.Internal.Plan;

namespace DataWeaver.Pipelines;

/// <summary>
/// A built, validated and immutable pipeline: a source, transforms and sinks compiled into a bounded TPL
/// Dataflow block graph. Create one with <see cref="From{T}"/> and the fluent <see cref="PipelineBuilder{T}"/>;
/// run it with <see cref="Start"/> or <see cref="RunAsync"/>. One run at a time: connectors are stateful.
/// </summary>
public sealed class Pipeline
{
    private readonly SourcePlan _plan;
    private readonly IReadOnlyList<Connector> _sinks;
    private (PipelineGraph Graph, IReadOnlyDictionary<object, string> Owners)? _described;
    private PipelineRun? _current;

    internal Pipeline(PipelineOptions options, SourcePlan plan, IReadOnlyList<Connector> sinks)
    {
        Options = options;
        _plan = plan;
        _sinks = sinks;
    }

    /// <summary>Gets the pipeline's name.</summary>
    public string Name => Options.Name;

    /// <summary>Gets the options the pipeline was built with.</summary>
    public PipelineOptions Options { get; }

    /// <summary>Gets the source connector.</summary>
    public Connector Source => _plan.Source;

    /// <summary>Gets the sink connectors, in the order they were added; dead-letter sinks come last.</summary>
    public IReadOnlyList<Connector> Sinks => _sinks;

    /// <summary>Gets how many of <see cref="Sinks"/>, from the first, are the pipeline's own sinks (the rest take dead letters).</summary>
    internal int MainSinkCount { get; init; } = int.MaxValue;

    /// <summary>Starts describing a pipeline that reads from <paramref name="source"/>.</summary>
    /// <typeparam name="T">The source's record type.</typeparam>
    /// <param name="source">The source connector.</param>
    /// <param name="options">The pipeline options; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<T> From<T>(SourceConnector<T> source, PipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return PipelineBuilder<T>.Create(source, options ?? new PipelineOptions());
    }

    /// <summary>
    /// Starts a pipeline that reads several sources as one (fan-in), each source keeping its own positions and commits
    /// (see <see cref="Merging.MergedSource{T}"/>).
    /// </summary>
    /// <typeparam name="T">The sources' record type.</typeparam>
    /// <param name="sources">The sources, from 1 to <see cref="Merging.MergedSource{T}.MaxSources"/> distinct instances.</param>
    /// <param name="options">The pipeline options; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<T> Merge<T>(IEnumerable<SourceConnector<T>> sources, PipelineOptions? options = null) =>
        From(new Merging.MergedSource<T>(sources), options);

    /// <summary>Describes the compiled block graph: blocks, the operators fused into each, and their bounds.</summary>
    /// <returns>The graph; render it with <see cref="PipelineGraph.ToText"/> or <see cref="PipelineGraph.ToMermaid"/>.</returns>
    public PipelineGraph Describe() => DescribeWithOwners().Graph;

    /// <summary>Describes the graph and which plan node described which block (a run's block counters follow it).</summary>
    /// <remarks>Described once: the plan is immutable, and every run reads the description (about 2 KB a run otherwise).</remarks>
    internal (PipelineGraph Graph, IReadOnlyDictionary<object, string> Owners) DescribeWithOwners()
    {
        lock (_plan)
        {
            if (_described is null)
            {
                var writer = new GraphWriter();
                _plan.Describe(writer);
                _described = (writer.ToGraph(Name, Options), writer.Owners);
            }

            return _described.Value;
        }
    }

    /// <summary>
    /// Starts a run: opens the connectors, then reads, processes and writes until the source runs out, the run
    /// is stopped or aborted, or a stage fails. Returns at once; await <see cref="PipelineRun.Completion"/>.
    /// </summary>
    /// <param name="cancellationToken">Aborts the run when signalled.</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidOperationException">A run of this pipeline has not completed yet.</exception>
    public PipelineRun Start(CancellationToken cancellationToken = default)
    {
        lock (_plan)
        {
            if (_current is { Completion.IsCompleted: false })
            {
                throw new InvalidOperationException($"Pipeline '{Name}' is already running; wait for its run to complete before starting it again.");
            }

            _current = new PipelineRun(this, _plan, _sinks, cancellationToken);
            return _current;
        }
    }

    /// <summary>Starts a run and waits for it to complete.</summary>
    /// <param name="cancellationToken">Aborts the run when signalled.</param>
    /// <returns>A task that completes with the run (see <see cref="PipelineRun.Completion"/>).</returns>
    public Task RunAsync(CancellationToken cancellationToken = default) => Start(cancellationToken).Completion;
}
