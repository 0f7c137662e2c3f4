using DataWeaver.Configuration;
using DataWeaver.Hosting.Internal;
using Microsoft.Extensions.Configuration;

namespace DataWeaver.Hosting;

/// <summary>Hosts the pipelines of DataWeaver.Configuration definition files (YAML or JSON) or of a configuration section.</summary>
public static class DataWeaverBuilderDefinitionExtensions
{
    /// <summary>
    /// Adds every pipeline of a definition file. The file is read and validated now, while the host is being built:
    /// an invalid file throws a <see cref="PipelineDefinitionException"/> listing every problem (file, line, column,
    /// key), before anything connects. <c>${NAME}</c> references are resolved now too. Each pipeline is hosted under
    /// its name in the file and built for each run by one <see cref="PipelineFactory"/> per file (which owns the
    /// file's stream frameworks, disposed once every hosted pipeline ended).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file; <c>.yaml</c>, <c>.yml</c> or <c>.json</c>.</param>
    /// <param name="options">
    /// The registry of connector types, the environment and the base directory of relative paths; the default
    /// (<see langword="null"/>) uses the built-in connectors, the process environment and the current directory.
    /// </param>
    /// <returns>The builder.</returns>
    /// <exception cref="PipelineDefinitionException">The file cannot be read or is invalid.</exception>
    /// <exception cref="ArgumentException">A pipeline of the file has the name of a pipeline already added.</exception>
    public static DataWeaverBuilder AddPipelinesFromFile(this DataWeaverBuilder builder, string path, PipelineLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.AddDefinitions(PipelineDefinitionLoader.Load(path, options), options);
    }

    /// <summary>
    /// Adds every pipeline defined in a configuration section that has the shape of a definition file (<c>version</c>,
    /// <c>pipelines</c>: a list), such as a part of <c>appsettings.json</c>. Values are typed as in JSON: <c>true</c>
    /// and <c>false</c> are booleans, plain decimal numbers are numbers, anything else is a string. Validated now, as
    /// <see cref="AddPipelinesFromFile"/> does; errors name the key (their line and column refer to the section written
    /// as JSON).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The section, for example <c>configuration.GetSection("DataWeaver:Definitions")</c>.</param>
    /// <param name="options">As for <see cref="AddPipelinesFromFile"/>; its <see cref="PipelineLoadOptions.Format"/> is ignored.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="PipelineDefinitionException">The section is not a valid definition.</exception>
    public static DataWeaverBuilder AddPipelinesFromConfiguration(this DataWeaverBuilder builder, IConfiguration section, PipelineLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var name = section is IConfigurationSection { Path: { Length: > 0 } path } ? path : "configuration";
        var json = ConfigurationJson.Write(section);
        return builder.AddDefinitions(PipelineDefinitionLoader.Parse(json, name, (options ?? new PipelineLoadOptions()) with { Format = PipelineFileFormat.Json }), options);
    }

    private static DataWeaverBuilder AddDefinitions(this DataWeaverBuilder builder, PipelineFileDefinition file, PipelineLoadOptions? options)
    {
        var factory = new SharedPipelineFactory(options);
        foreach (var definition in file.Pipelines)
        {
            builder.Add(definition.Name, services => factory.Get(services).Create(definition), factory);
        }

        return builder;
    }
}
