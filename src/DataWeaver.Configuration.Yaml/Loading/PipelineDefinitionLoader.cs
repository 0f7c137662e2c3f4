using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Loading.Internal;
using DataWeaver.Configuration.Schema.Internal;

namespace DataWeaver.Configuration;

/// <summary>
/// Reads pipeline definition files, YAML or JSON, into validated <see cref="PipelineFileDefinition"/>s: parses with
/// line/column positions, replaces <c>${NAME}</c> with environment variables, validates against
/// <see cref="PipelineSchema"/>, then checks what the schema cannot (registered connector types, settings, formats,
/// code transforms, names, error policies). An invalid file raises one <see cref="PipelineDefinitionException"/> listing
/// every problem at once. Nothing is constructed, connected or started here.
/// </summary>
public static class PipelineDefinitionLoader
{
    private static readonly Lazy<ConnectorRegistry> DefaultRegistry = new(ConnectorRegistry.CreateDefault);

    /// <summary>Reads and validates a file.</summary>
    /// <param name="path">The file; the format comes from its extension (see <see cref="PipelineLoadOptions.Format"/>).</param>
    /// <param name="options">The registry, environment and format; <see langword="null"/> uses the defaults.</param>
    /// <returns>The validated definitions.</returns>
    /// <exception cref="PipelineDefinitionException">The file cannot be read or is invalid; every problem is listed.</exception>
    public static PipelineFileDefinition Load(string path, PipelineLoadOptions? options = null) => Parse(ReadText(path), path, options);

    /// <summary>
    /// Reads a definition file's text, refusing what is not a definition file: a folder, a missing file, a file larger
    /// than 16 MiB (<see cref="ConfigurationErrorCode.Limit"/>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="fileName">The name errors give as the file; <see langword="null"/> uses <paramref name="path"/>.</param>
    /// <returns>The text.</returns>
    /// <exception cref="PipelineDefinitionException">The file cannot be read; the one error says why.</exception>
    public static string ReadText(string path, string? fileName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        fileName ??= path;
        try
        {
            if (Directory.Exists(path))
            {
                throw Fail(ConfigurationErrorCode.File, fileName, "The path is a folder, not a file: give the definition file inside it.");
            }

            var length = new FileInfo(path).Length;
            if (length > LoaderLimits.MaxFileBytes)
            {
                throw Fail(ConfigurationErrorCode.Limit, fileName, $"The file is {length:N0} bytes; definition files are limited to 16 MiB.");
            }

            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Fail(ConfigurationErrorCode.File, fileName, "The file does not exist.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            throw Fail(ConfigurationErrorCode.File, fileName, $"The file cannot be read: {exception.Message}");
        }
    }

    /// <summary>Validates a file's text and reads it.</summary>
    /// <param name="text">The YAML or JSON text.</param>
    /// <param name="fileName">The name errors give as the file (and whose extension picks the format).</param>
    /// <param name="options">The registry, environment and format; <see langword="null"/> uses the defaults.</param>
    /// <returns>The validated definitions.</returns>
    /// <exception cref="PipelineDefinitionException">The text is invalid; every problem is listed.</exception>
    public static PipelineFileDefinition Parse(string text, string fileName, PipelineLoadOptions? options = null)
    {
        var (definition, errors, secrets) = Read(text, fileName, options);
        errors.ThrowIfAny(secrets);
        return definition!;
    }

    /// <summary>Validates a file's text and returns its problems (none when it is valid), without throwing.</summary>
    /// <param name="text">The YAML or JSON text.</param>
    /// <param name="fileName">The name errors give as the file.</param>
    /// <param name="options">The registry, environment and format; <see langword="null"/> uses the defaults.</param>
    /// <returns>Every problem, ordered by line and column; empty when the text is valid.</returns>
    public static IReadOnlyList<ConfigurationError> Validate(string text, string fileName, PipelineLoadOptions? options = null)
    {
        var (_, errors, secrets) = Read(text, fileName, options);
        return errors.ToList(secrets);
    }

    private static (PipelineFileDefinition? Definition, ErrorList Errors, HashSet<string> Secrets) Read(string text, string fileName, PipelineLoadOptions? options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        options ??= new PipelineLoadOptions();
        var errors = new ErrorList(fileName);
        var format = options.Format ?? FormatOf(fileName, text);
        var parsed = format == PipelineFileFormat.Json ? JsonConfigReader.Read(text, errors) : YamlConfigReader.Read(text, errors);
        if (parsed is null)
        {
            return (null, errors, []);
        }

        var expander = new VariableExpander(options.Environment ?? Environment.GetEnvironmentVariable, errors);
        var root = expander.Expand(parsed);
        SchemaValidator.Validate(PipelineSchema.Root, root, errors);
        if (root.Kind != ConfigValueKind.Mapping)
        {
            return (null, errors, expander.Secrets);
        }

        var reader = new DefinitionReader(options.Registry ?? DefaultRegistry.Value, errors, options.BaseDirectory, expander.Secrets);
        var definition = reader.Read(root, format);
        return (definition, errors, expander.Secrets);
    }

    private static PipelineDefinitionException Fail(string code, string path, string message) =>
        new([new ConfigurationError(code, string.Empty, message, new ConfigLocation(path, 0, 0))]);

    private static PipelineFileFormat FormatOf(string fileName, string text)
    {
        var extension = Path.GetExtension(fileName);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return PipelineFileFormat.Json;
        }

        if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return PipelineFileFormat.Yaml;
        }

        return text.AsSpan().TrimStart().StartsWith("{") ? PipelineFileFormat.Json : PipelineFileFormat.Yaml;
    }
}
