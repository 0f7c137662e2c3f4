using DataWeaver.Pipelines;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// A pipeline added with <see cref="DataWeaverBuilder.AddPipeline"/>: its hosted name, the factory that builds it for
/// each run, and what the factory owns (a configuration file's pipeline factory), disposed once every pipeline ended.
/// </summary>
internal sealed record PipelineRegistration(string Name, Func<IServiceProvider, Pipeline> Factory, IAsyncDisposable? Owner = null);
