using System.Diagnostics.CodeAnalysis;
using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Loading.Internal;
using DataWeaver.Connectors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>
/// The pipeline manager: creates connectors from configuration by type name,
/// creates pipelines from definitions, files or connectors (<c>create_pipeline</c>), and runs several of them in one
/// process, starting and stopping each on its own (<c>start_pipeline</c>, <c>stop_pipeline</c>). Thread-safe. Dispose it
/// to drain every running pipeline and release the stream frameworks.
/// </summary>
public sealed class PipelineManager : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ManagedPipeline> _pipelines = new(StringComparer.Ordinal);
    private readonly PipelineManagerOptions _options;
    private bool _disposed;

    /// <summary>Creates a manager.</summary>
    /// <param name="options">The registry, factory options, environment and stop timeout; <see langword="null"/> uses the defaults.</param>
    public PipelineManager(PipelineManagerOptions? options = null)
    {
        _options = options ?? new PipelineManagerOptions();
        Registry = _options.Registry ?? ConnectorRegistry.CreateDefault();
        Factory = new PipelineFactory(Registry, _options.Factory);
        Lifecycle = (_options.Lifecycle ?? new PipelineHostOptions()) is { TimeProvider: null } lifecycle
            ? lifecycle with { TimeProvider = Factory.Options.TimeProvider }
            : _options.Lifecycle!;
        Lifecycle.Validate();
    }

    /// <summary>Gets how the managed pipelines live: restart policy, drain timeout, clock (<see cref="PipelineManagerOptions.Lifecycle"/>).</summary>
    public PipelineHostOptions Lifecycle { get; }

    /// <summary>
    /// Raised after a managed pipeline changed state (the one state model of <see cref="PipelineStates"/>: started, pausing,
    /// paused, draining, restarting, completed, stopped, aborted, failed), from the thread that changed it. The sender is the
    /// manager; <see cref="PipelineStateChangedEventArgs.Name"/> names the pipeline. Handlers MUST NOT block; what they throw is ignored.
    /// </summary>
    public event EventHandler<PipelineStateChangedEventArgs>? StateChanged;

    /// <summary>Gets the connector registry (the Connector Manager).</summary>
    public ConnectorRegistry Registry { get; }

    /// <summary>Gets the factory that builds the manager's pipelines and owns their stream frameworks.</summary>
    public PipelineFactory Factory { get; }

    /// <summary>Gets the managed pipelines, ordered by name.</summary>
    public IReadOnlyCollection<ManagedPipeline> Pipelines
    {
        get
        {
            lock (_lock)
            {
                return [.. _pipelines.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Gets a managed pipeline by name.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is managed.</exception>
    public ManagedPipeline this[string name] => TryGetPipeline(name, out var pipeline)
        ? pipeline
        : throw new KeyNotFoundException($"No pipeline named '{name}' is managed; managed: {string.Join(", ", Pipelines.Select(p => p.Name))}.");

    /// <summary>Finds a managed pipeline by name.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="pipeline">The pipeline, when found.</param>
    /// <returns><see langword="true"/> when managed.</returns>
    public bool TryGetPipeline(string name, [NotNullWhen(true)] out ManagedPipeline? pipeline)
    {
        lock (_lock)
        {
            return _pipelines.TryGetValue(name, out pipeline);
        }
    }

    /// <summary>Gets the options the manager was created with (loading a file with <c>LoadFile</c>, in DataWeaver.Configuration.Yaml, uses their environment).</summary>
    public PipelineManagerOptions Options => _options;

    /// <summary>Creates every pipeline of a file definition (all or none).</summary>
    /// <param name="file">The validated file.</param>
    /// <returns>The pipelines created, in file order, not started.</returns>
    /// <exception cref="PipelineDefinitionException">A factory refused its settings.</exception>
    /// <exception cref="InvalidOperationException">A pipeline has the name of one already managed.</exception>
    public IReadOnlyList<ManagedPipeline> CreatePipelines(PipelineFileDefinition file)
    {
        ArgumentNullException.ThrowIfNull(file);
        lock (_lock)
        {
            foreach (var definition in file.Pipelines)
            {
                EnsureFree(definition.Name);
            }
        }

        var created = file.Pipelines.Select(d => new ManagedPipeline(Factory.Create(d), d, Lifecycle)).ToList();
        foreach (var pipeline in created)
        {
            Add(pipeline);
        }

        return created;
    }

    /// <summary>Creates a pipeline from a definition.</summary>
    /// <param name="definition">The validated definition.</param>
    /// <returns>The pipeline, not started.</returns>
    /// <exception cref="PipelineDefinitionException">A factory refused its settings.</exception>
    /// <exception cref="InvalidOperationException">A pipeline of that name is already managed.</exception>
    public ManagedPipeline CreatePipeline(PipelineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_lock)
        {
            EnsureFree(definition.Name);
        }

        return Add(new ManagedPipeline(Factory.Create(definition), definition, Lifecycle));
    }

    /// <summary>Manages a pipeline built in code with the fluent builder.</summary>
    /// <param name="pipeline">The pipeline; its name must be unique within the manager.</param>
    /// <returns>The managed pipeline, not started.</returns>
    /// <exception cref="InvalidOperationException">A pipeline of that name is already managed.</exception>
    public ManagedPipeline CreatePipeline(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return Add(new ManagedPipeline(pipeline, null, Lifecycle));
    }

    /// <summary>Creates a pipeline from a source and a sink, of any record type.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="name">The pipeline's name, unique within the manager.</param>
    /// <param name="source">The source.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="options">Further pipeline options; the name given here wins.</param>
    /// <returns>The pipeline, not started.</returns>
    /// <exception cref="InvalidOperationException">A pipeline of that name is already managed.</exception>
    public ManagedPipeline CreatePipeline<T>(string name, SourceConnector<T> source, SinkConnector<T> sink, PipelineOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return CreatePipeline(Pipeline.From(source, (options ?? new PipelineOptions()) with { Name = name }).To(sink).Build());
    }

    /// <summary>
    /// Creates a pipeline from connectors made by <see cref="CreateConnector"/>: JSON record or payload sources and sinks,
    /// payloads decoded and encoded as JSON.
    /// </summary>
    /// <param name="name">The pipeline's name, unique within the manager.</param>
    /// <param name="source">A source of <see cref="JsonRecord"/>s or of byte payloads.</param>
    /// <param name="sink">A sink of <see cref="JsonRecord"/>s or of byte payloads.</param>
    /// <param name="options">Further pipeline options; the name given here wins.</param>
    /// <returns>The pipeline, not started.</returns>
    /// <exception cref="ArgumentException">A connector is of another record type.</exception>
    /// <exception cref="InvalidOperationException">A pipeline of that name is already managed.</exception>
    public ManagedPipeline CreatePipeline(string name, Connector source, Connector sink, PipelineOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        options = (options ?? new PipelineOptions()) with { Name = name };
        var records = source switch
        {
            SourceConnector<JsonRecord> json => Pipeline.From(json, options),
            SourceConnector<Record<ReadOnlyMemory<byte>>> payloads => Pipeline.From(payloads, options).Map(r => JsonRecordFormat.Json.Decode(r.Value), "decode:json"),
            _ => throw new ArgumentException($"The source must read JsonRecords or byte payloads; '{source?.GetType().Name}' does not.", nameof(source)),
        };
        switch (sink)
        {
            case SinkConnector<JsonRecord> json:
                records.To(json);
                break;
            case SinkConnector<Record<ReadOnlyMemory<byte>>> payloads:
                records.Map(r => new Record<ReadOnlyMemory<byte>>(default, r.Utf8.ToArray(), null, default, default), "encode:json").To(payloads);
                break;
            default:
                throw new ArgumentException($"The sink must write JsonRecords or byte payloads; '{sink?.GetType().Name}' does not.", nameof(sink));
        }

        return CreatePipeline(records.Build());
    }

    /// <summary>
    /// Creates a connector by type name from settings given in code, checked
    /// against the type's descriptor first. The connector is constructed, not opened.
    /// </summary>
    /// <param name="role">Source or sink.</param>
    /// <param name="type">The registered type name.</param>
    /// <param name="settings">The settings (strings, numbers, booleans, <see cref="TimeSpan"/>s, dictionaries, lists); <see langword="null"/> for none.</param>
    /// <param name="format">The format; <see langword="null"/> is <c>json</c>.</param>
    /// <param name="name">The connector's name; <see langword="null"/> is the type name.</param>
    /// <returns>The connector: a source or sink of <see cref="JsonRecord"/>s, or of byte payloads for payload types.</returns>
    /// <exception cref="PipelineDefinitionException">The type is unknown or the settings are invalid (every problem listed).</exception>
    public Connector CreateConnector(ConnectorRole role, string type, IReadOnlyDictionary<string, object?>? settings = null, string? format = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        List<ConfigProperty> properties = [new("type", ConfigValue.Scalar(ConfigValueKind.String, type, default, "connector.type"))];
        if (name is not null)
        {
            properties.Add(new("name", ConfigValue.Scalar(ConfigValueKind.String, name, default, "connector.name")));
        }

        if (format is not null)
        {
            properties.Add(new("format", ConfigValue.Scalar(ConfigValueKind.String, format, default, "connector.format")));
        }

        properties.Add(new("settings", ConfigValue.FromObject(settings ?? new Dictionary<string, object?>(), "connector.settings")));
        var errors = new ErrorList("(code)");
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var definition = new DefinitionReader(Registry, errors, _options.Factory?.BaseDirectory, secrets).ReadStandalone(ConfigValue.Mapping(properties, default, "connector"), role);
        errors.ThrowIfAny(secrets);
        return Factory.CreateConnector(definition, name ?? type, secrets);
    }

    /// <summary>Starts a pipeline; it runs until its source runs out, it is stopped, or it fails (and restarts as <see cref="Lifecycle"/> allows).</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The run; await <see cref="PipelineRun.Completion"/> for its end, or <see cref="PipelineHost.Completion"/> for the pipeline's, restarts included.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is managed.</exception>
    /// <exception cref="InvalidOperationException">It is already running, pausing, paused, draining or restarting.</exception>
    public PipelineRun StartPipeline(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pipeline = this[name];
        return pipeline.Host.Start() ?? throw new InvalidOperationException(pipeline.LastErrorMessage);
    }

    /// <summary>Starts every managed pipeline that is not running.</summary>
    /// <returns>The runs started.</returns>
    public IReadOnlyList<PipelineRun> StartAll() =>
        [.. Pipelines.Where(p => p.State == PipelineState.Created || PipelineStates.IsEnded(p.State)).Select(p => StartPipeline(p.Name))];

    /// <summary>
    /// Pauses a pipeline: its source stops reading, the records in flight are delivered and their positions committed,
    /// then it is <see cref="PipelineState.Paused"/>. Does nothing when it is not running.
    /// </summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="cancellationToken">Stops waiting (the pause stays asked for).</param>
    /// <returns>A task that completes when paused, or when the pause was overtaken by a resume, a stop or the run's end.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is managed.</exception>
    public Task PausePipelineAsync(string name, CancellationToken cancellationToken = default) => this[name].Host.PauseAsync(cancellationToken);

    /// <summary>Resumes a paused pipeline from where its source stopped. Does nothing when it is not paused or pausing.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is managed.</exception>
    public void ResumePipeline(string name) => this[name].Host.Resume();

    /// <summary>
    /// Stops a pipeline with a drain: its source stops reading, the records in flight are
    /// delivered and committed, then it is <see cref="PipelineState.Stopped"/>. A pipeline waiting to restart stops at once.
    /// Does nothing when it is not running.
    /// </summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled (a drain timeout).</param>
    /// <returns>A task that completes when the pipeline has ended (it does not throw for a failed run: see <see cref="ManagedPipeline.LastError"/>).</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is managed.</exception>
    public async Task StopPipelineAsync(string name, CancellationToken cancellationToken = default)
    {
        var pipeline = this[name];
        if (pipeline.State == PipelineState.Created || PipelineStates.IsEnded(pipeline.State))
        {
            return;
        }

        await pipeline.Host.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Aborts a pipeline: records in flight are dropped unacknowledged. Does nothing when it is not running.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is managed.</exception>
    public void AbortPipeline(string name)
    {
        var pipeline = this[name];
        if (pipeline.State != PipelineState.Created && !PipelineStates.IsEnded(pipeline.State))
        {
            pipeline.Host.Abort();
        }
    }

    /// <summary>Stops every running pipeline with a drain, all at once.</summary>
    /// <param name="cancellationToken">Turns the drains into aborts when signalled.</param>
    /// <returns>A task that completes when every run has ended.</returns>
    public Task StopAllAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Pipelines.Select(p => StopPipelineAsync(p.Name, cancellationToken)));

    /// <summary>Stops a pipeline (drain) and stops managing it.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled.</param>
    /// <returns><see langword="true"/> when it was managed.</returns>
    public async Task<bool> RemovePipelineAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!TryGetPipeline(name, out var pipeline))
        {
            return false;
        }

        await StopPipelineAsync(name, cancellationToken).ConfigureAwait(false);
        pipeline.Host.StateChanged -= OnStateChanged;
        lock (_lock)
        {
            return _pipelines.Remove(name);
        }
    }

    /// <summary>Drains every running pipeline (aborting those still running after <see cref="PipelineManagerOptions.StopTimeout"/>), then disposes the factory and its frameworks.</summary>
    /// <returns>A task that completes once everything is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        using (var timeout = new CancellationTokenSource(_options.StopTimeout, Factory.Options.TimeProvider))
        {
            await StopAllAsync(timeout.Token).ConfigureAwait(false);
        }

        await Factory.DisposeAsync().ConfigureAwait(false);
    }

    private void EnsureFree(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pipelines.ContainsKey(name))
        {
            throw new InvalidOperationException($"A pipeline named '{name}' is already managed; names are unique within a manager.");
        }
    }

    private ManagedPipeline Add(ManagedPipeline pipeline)
    {
        lock (_lock)
        {
            EnsureFree(pipeline.Name);
            _pipelines.Add(pipeline.Name, pipeline);
        }

        pipeline.Host.StateChanged += OnStateChanged;
        return pipeline;
    }

    private void OnStateChanged(object? sender, PipelineStateChangedEventArgs e)
    {
        try
        {
            StateChanged?.Invoke(this, e);
        }
        catch (Exception)
        {
            // A handler's failure must not break the pipeline's life cycle (documented: handlers MUST NOT throw).
        }
    }
}
