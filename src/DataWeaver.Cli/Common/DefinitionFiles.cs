using System.CommandLine;
using DataWeaver.Configuration;

namespace DataWeaver.Cli.Common;

/// <summary>What <c>run</c>, <c>validate</c> and <c>graph</c> share: the FILE argument, <c>--set</c>, <c>--pipeline</c>, loading and error printing.</summary>
internal static class DefinitionFiles
{
    /// <summary>Creates the FILE argument.</summary>
    /// <returns>The argument.</returns>
    public static Argument<string> FileArgument() => new("FILE") { Description = "The pipeline definition file (.yaml, .yml or .json)." };

    /// <summary>Creates the <c>--set NAME=VALUE</c> option: variables that win over the environment for <c>${NAME}</c>.</summary>
    /// <returns>The option.</returns>
    public static Option<string[]> SetOption()
    {
        var option = new Option<string[]>("--set")
        {
            Description = "Sets the variable NAME for ${NAME} references of the file, over the environment (repeatable).",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.OneOrMore,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--set takes NAME=VALUE; '{token.Value}' has no name or no '='.");
                }
            }
        });
        return option;
    }

    /// <summary>Creates the <c>--pipeline NAME</c> option.</summary>
    /// <param name="description">The help text.</param>
    /// <returns>The option.</returns>
    public static Option<string[]> PipelineOption(string description) => new("--pipeline", "-p")
    {
        Description = description,
        HelpName = "NAME",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>Loads and validates a file with the CLI's registry, printing every error (with file, line, column and key) when it is invalid.</summary>
    /// <param name="context">The process context (environment, working directory, error output).</param>
    /// <param name="registry">The connector registry.</param>
    /// <param name="file">The file as given on the command line (errors name it so).</param>
    /// <param name="sets">The <c>--set</c> values.</param>
    /// <returns>The definition, or <see langword="null"/> when errors were printed.</returns>
    public static PipelineFileDefinition? Load(CliContext context, ConnectorRegistry registry, string file, IReadOnlyList<string>? sets)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in sets ?? [])
        {
            var (name, value) = (set[..set.IndexOf('=', StringComparison.Ordinal)], set[(set.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            variables[name] = value; // the last --set of a name wins
        }

        try
        {
            var text = PipelineDefinitionLoader.ReadText(context.FullPath(file), file);
            return PipelineDefinitionLoader.Parse(text, file, new PipelineLoadOptions
            {
                Registry = registry,
                Environment = name => variables.TryGetValue(name, out var value) ? value : context.Environment(name),
                BaseDirectory = Folder(context, file),
            });
        }
        catch (PipelineDefinitionException exception)
        {
            PrintErrors(context.Error, exception.Errors);
            return null;
        }
    }

    /// <summary>Loads a file (see <see cref="Load"/>) and picks the pipelines named with <c>--pipeline</c> (see <see cref="Select"/>).</summary>
    /// <param name="context">The process context.</param>
    /// <param name="registry">The connector registry.</param>
    /// <param name="file">The file as given on the command line.</param>
    /// <param name="sets">The <c>--set</c> values.</param>
    /// <param name="names">The <c>--pipeline</c> values, or none for all.</param>
    /// <returns>The file and its selected pipelines, or <see langword="null"/> when errors were printed.</returns>
    public static (PipelineFileDefinition File, IReadOnlyList<PipelineDefinition> Selected)? Open(CliContext context, ConnectorRegistry registry, string file, IReadOnlyList<string>? sets, IReadOnlyList<string>? names) =>
        Load(context, registry, file, sets) is { } definition && Select(context, definition, names) is { } selected ? (definition, selected) : null;

    /// <summary>Picks the pipelines named with <c>--pipeline</c>, or all of them; prints the known names when one is unknown.</summary>
    /// <param name="context">The process context.</param>
    /// <param name="file">The loaded file.</param>
    /// <param name="names">The names given, or none for all.</param>
    /// <returns>The pipelines in file order, or <see langword="null"/> when a name is unknown.</returns>
    public static IReadOnlyList<PipelineDefinition>? Select(CliContext context, PipelineFileDefinition file, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return file.Pipelines;
        }

        var unknown = names.Where(n => !file.TryGetPipeline(n, out _)).ToList();
        if (unknown.Count > 0)
        {
            context.Error.WriteLine(file.Scrub($"{file.FileName}: no pipeline named {string.Join(", ", unknown.Select(n => $"'{n}'"))}; the file has: {string.Join(", ", file.Pipelines.Select(p => p.Name))}."));
            return null;
        }

        return [.. file.Pipelines.Where(p => names.Contains(p.Name, StringComparer.Ordinal))];
    }

    /// <summary>Prints configuration errors one per line, as <c>file:line:column: key: message</c>.</summary>
    /// <param name="output">Where to print.</param>
    /// <param name="errors">The errors (already free of secrets).</param>
    public static void PrintErrors(TextWriter output, IEnumerable<ConfigurationError> errors)
    {
        foreach (var error in errors)
        {
            output.WriteLine(error.ToString());
        }
    }

    /// <summary>Builds every selected pipeline (constructs connectors, connects nothing), printing what a connector factory refuses.</summary>
    /// <typeparam name="T">What building gives: an engine pipeline, a managed pipeline.</typeparam>
    /// <param name="context">The process context.</param>
    /// <param name="create">Builds one pipeline.</param>
    /// <param name="pipelines">The pipelines to build.</param>
    /// <returns>The built pipelines in the same order, or <see langword="null"/> when errors were printed.</returns>
    public static IReadOnlyList<T>? Build<T>(CliContext context, Func<PipelineDefinition, T> create, IReadOnlyList<PipelineDefinition> pipelines)
    {
        try
        {
            return [.. pipelines.Select(create)];
        }
        catch (PipelineDefinitionException exception)
        {
            PrintErrors(context.Error, exception.Errors);
            return null;
        }
    }

    /// <summary>
    /// Creates the options of the factories that build a file's pipelines: relative paths in the file resolve against the
    /// file's own folder (so <c>dataweaver run jobs/copy.yaml</c> reads and writes what <c>cd jobs; dataweaver run copy.yaml</c>
    /// does), the context's clock, and the log connectors write their diagnostics to.
    /// </summary>
    /// <param name="context">The process context.</param>
    /// <param name="file">The definition file as given on the command line.</param>
    /// <param name="log">Where connectors log; <see langword="null"/> logs nothing.</param>
    /// <returns>The options.</returns>
    public static PipelineFactoryOptions FactoryOptions(CliContext context, string file, Microsoft.Extensions.Logging.ILoggerFactory? log = null) => new()
    {
        BaseDirectory = Folder(context, file),
        TimeProvider = context.Time,
        LoggerFactory = log ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
    };

    /// <summary>Gets the folder of a definition file: the base of the relative paths it holds.</summary>
    /// <param name="context">The process context.</param>
    /// <param name="file">The file as given on the command line.</param>
    /// <returns>The file's folder, in full.</returns>
    public static string Folder(CliContext context, string file) => Path.GetDirectoryName(context.FullPath(file)) ?? context.WorkingDirectory;

    /// <summary>
    /// Finds the inputs a file's sources name that do not exist now (a required setting of type path of a source, other than
    /// <c>-</c> for standard input; a pattern when its folder does not exist), for <c>validate</c>'s warnings: a file may
    /// well appear before the run, so it is no error.
    /// </summary>
    /// <param name="registry">The registry with the sources' descriptors.</param>
    /// <param name="baseDirectory">The folder relative paths resolve against.</param>
    /// <param name="pipelines">The pipelines.</param>
    /// <returns>One line per missing input, as <c>file:line:column: key: message</c>.</returns>
    public static IEnumerable<string> MissingInputs(ConnectorRegistry registry, string baseDirectory, IEnumerable<PipelineDefinition> pipelines)
    {
        foreach (var pipeline in pipelines)
        {
            var settings = new ConnectorSettings(pipeline.Source.Settings, baseDirectory);
            foreach (var setting in registry.GetSourceDescriptor(pipeline.Source.Type)?.Settings ?? [])
            {
                if (setting is not { Type: SettingType.Path, Output: false, Required: true } || settings.GetString(setting.Name) is not { Length: > 0 } given || given == "-")
                {
                    continue;
                }

                var path = settings.ResolvePath(given);
                var wildcard = path.IndexOfAny(['*', '?', '[']);
                var exists = wildcard < 0
                    ? File.Exists(path) || Directory.Exists(path)
                    : Directory.Exists(Path.GetDirectoryName(path[..wildcard]) is { Length: > 0 } folder ? folder : baseDirectory);
                if (!exists)
                {
                    var value = pipeline.Source.Settings[setting.Name];
                    yield return pipeline.Scrub($"{value?.Location ?? pipeline.Source.Location}: {value?.Path ?? pipeline.Source.Path}: warning: the input '{given}' does not exist (yet; relative paths are from the file's folder): the run fails unless it appears first.");
                }
            }
        }
    }
}
