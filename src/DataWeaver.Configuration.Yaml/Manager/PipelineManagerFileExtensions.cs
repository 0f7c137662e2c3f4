namespace DataWeaver.Configuration;

/// <summary>Loads definition files into a <see cref="PipelineManager"/>.</summary>
public static class PipelineManagerFileExtensions
{
    /// <summary>Loads a definition file with the manager's registry and environment and creates every pipeline in it (all or none).</summary>
    /// <param name="manager">The manager.</param>
    /// <param name="path">The YAML or JSON file.</param>
    /// <returns>The pipelines created, in file order, not started.</returns>
    /// <exception cref="PipelineDefinitionException">The file is invalid (every problem listed), or a factory refused its settings.</exception>
    /// <exception cref="InvalidOperationException">A pipeline of the file has the name of one already managed.</exception>
    public static IReadOnlyList<ManagedPipeline> LoadFile(this PipelineManager manager, string path)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return manager.CreatePipelines(PipelineDefinitionLoader.Load(path, new PipelineLoadOptions
        {
            Registry = manager.Registry,
            Environment = manager.Options.Environment,
            BaseDirectory = manager.Options.Factory?.BaseDirectory,
        }));
    }
}
