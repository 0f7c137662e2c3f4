using System.CommandLine;
using DataWeaver.Cli.Common;
using DataWeaver.Configuration;

namespace DataWeaver.Cli.Validate;

/// <summary>
/// <c>dataweaver validate FILE</c>: checks a definition file as <c>run</c> would, without running it and without creating
/// anything (no folder, file or lock); an input that does not exist yet is a warning on standard error, not an error.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var file = DefinitionFiles.FileArgument();
        var set = DefinitionFiles.SetOption();
        var command = new Command("validate", "Checks a pipeline definition file (schema, connector types and settings, formats, transforms) and builds its pipelines without connecting or running anything.")
        {
            file,
            set,
        };
        command.SetAction((parse, _) => ExecuteAsync(context, parse.GetRequiredValue(file), parse.GetValue(set)));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string file, string[]? sets)
    {
        var registry = context.Registry();
        if (DefinitionFiles.Load(context, registry, file, sets) is not { } definition)
        {
            return ExitCodes.InvalidInput;
        }

        var factory = new PipelineFactory(registry, DefinitionFiles.FactoryOptions(context, file));
        await using (factory.ConfigureAwait(false))
        {
            if (DefinitionFiles.Build(context, factory.Create, definition.Pipelines) is null)
            {
                return ExitCodes.InvalidInput;
            }
        }

        foreach (var warning in DefinitionFiles.MissingInputs(registry, DefinitionFiles.Folder(context, file), definition.Pipelines))
        {
            context.Error.WriteLine(warning);
        }

        var count = definition.Pipelines.Count;
        context.Out.WriteLine(definition.Scrub($"valid: {count} pipeline{(count == 1 ? string.Empty : "s")} ({string.Join(", ", definition.Pipelines.Select(p => p.Name))})"));
        return ExitCodes.Success;
    }
}
