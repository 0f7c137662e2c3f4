using DataWeaver.Configuration.Internal;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Configuration;

/// <summary>
/// A pipeline a <see cref="PipelineManager"/> runs: its definition and the <see cref="PipelineHost"/> that owns its life
/// (state, runs, last error). Read it any time from any thread; change it through the manager or its <see cref="Host"/>.
/// </summary>
public sealed class ManagedPipeline
{
    internal ManagedPipeline(Pipeline pipeline, PipelineDefinition? definition, PipelineHostOptions lifecycle)
    {
        Pipeline = pipeline;
        Definition = definition;
        Host = new PipelineHost(pipeline, lifecycle);
    }

    /// <summary>Gets the pipeline's name, unique within its manager.</summary>
    public string Name => Pipeline.Name;

    /// <summary>Gets the engine pipeline.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>Gets the definition it was created from, or <see langword="null"/> for a pipeline built in code.</summary>
    public PipelineDefinition? Definition { get; }

    /// <summary>Gets the host that owns the pipeline's life: start, pause, resume, stop, abort, restarts.</summary>
    public PipelineHost Host { get; }

    /// <summary>Gets where the pipeline is in its life (the one state model of <see cref="PipelineStates"/>). True as soon as its run's state is.</summary>
    public PipelineState State => Host.State;

    /// <summary>Gets the run in progress (running, pausing, paused or draining), or <see langword="null"/> when none is.</summary>
    public PipelineRun? CurrentRun => Host.CurrentRun;

    /// <summary>Gets the latest run, in progress or ended, or <see langword="null"/> before the first start.</summary>
    public PipelineRun? LastRun => Host.LastRun;

    /// <summary>Gets why the latest run failed, or <see langword="null"/> when it did not. The message may hold secrets a connector put there: show <see cref="LastErrorMessage"/>.</summary>
    public Exception? LastError => Host.LastError;

    /// <summary>Gets the message of <see cref="LastError"/> with the definition's secret values replaced by <c>***</c>.</summary>
    public string? LastErrorMessage => LastError is { } error ? Scrub(error.Message) : null;

    /// <summary>Gets when the latest run started, by the manager's clock.</summary>
    public DateTimeOffset? StartedAt => Host.StartedAt;

    /// <summary>Gets when the pipeline last ended, by the manager's clock; <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndedAt => Host.EndedAt;

    /// <summary>Replaces the definition's secret values in <paramref name="text"/> with <c>***</c>.</summary>
    /// <param name="text">Any text about this pipeline.</param>
    /// <returns>The text without secrets.</returns>
    public string Scrub(string text) => Definition is { } definition ? SecretScrubber.Scrub(text, definition.SecretValues) : text;

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {PipelineStates.Label(State)}";
}
