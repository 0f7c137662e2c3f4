using DataWeaver.Configuration.Internal.Connectors;

namespace DataWeaver.Formats.Tests.Support;

/// <summary>Runs a pipeline definition (YAML) in a temporary folder: relative paths resolve there.</summary>
internal sealed class DefinitionRun : IDisposable
{
    /// <summary>Serializes the tests that swap standard input and output (a process-wide hook).</summary>
    public static readonly SemaphoreSlim StandardStreams = new(1, 1);

    public DefinitionRun(Func<Configuration.ConnectorRegistry, Configuration.ConnectorRegistry>? register = null)
    {
        Folder = Directory.CreateTempSubdirectory("dw-formats-").FullName;
        Registry = (register ?? (r => r))(Configuration.ConnectorRegistry.CreateDefault());
    }

    public string Folder { get; }

    public Configuration.ConnectorRegistry Registry { get; }

    public string PathOf(string name) => System.IO.Path.Combine(Folder, name);

    public void Write(string name, string text) => File.WriteAllText(PathOf(name), text);

    public void Write(string name, byte[] bytes) => File.WriteAllBytes(PathOf(name), bytes);

    public string Read(string name) => File.ReadAllText(PathOf(name));

    public IReadOnlyList<Configuration.ConfigurationError> Validate(string yaml) =>
        Configuration.PipelineDefinitionLoader.Validate(yaml, "pipeline.yaml", new Configuration.PipelineLoadOptions { Registry = Registry, Environment = _ => null, BaseDirectory = Folder });

    /// <summary>Loads and runs the only pipeline of <paramref name="yaml"/> to its end.</summary>
    public async Task RunAsync(string yaml)
    {
        var file = Configuration.PipelineDefinitionLoader.Parse(yaml, "pipeline.yaml", new Configuration.PipelineLoadOptions { Registry = Registry, Environment = _ => null, BaseDirectory = Folder });
        await using var factory = new Configuration.PipelineFactory(Registry, new Configuration.PipelineFactoryOptions { BaseDirectory = Folder });
        await factory.Create(file.Pipelines.Single()).RunAsync();
    }

    /// <summary>Runs with standard input and output swapped for memory.</summary>
    public async Task<byte[]> RunWithStandardStreamsAsync(string yaml, byte[] input)
    {
        await StandardStreams.WaitAsync();
        var output = new MemoryStream();
        try
        {
            FileConnectors.StandardInput = () => new MemoryStream(input);
            FileConnectors.StandardOutput = () => output;
            await RunAsync(yaml);
            return output.ToArray();
        }
        finally
        {
            FileConnectors.StandardInput = null;
            FileConnectors.StandardOutput = null;
            StandardStreams.Release();
        }
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
