using System.CommandLine;
using DataWeaver.Cli.Common;
using DataWeaver.Configuration;

namespace DataWeaver.Cli.Graph;

/// <summary><c>dataweaver graph FILE</c>: the compiled block graph of a file's pipelines, as text, Mermaid or DOT.</summary>
internal static class GraphCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var file = DefinitionFiles.FileArgument();
        var set = DefinitionFiles.SetOption();
        var pipeline = DefinitionFiles.PipelineOption("Shows only this pipeline (repeatable); the default is every pipeline of the file.");
        var format = new Option<string>("--format", "-f")
        {
            Description = "text: one line per block, then the edges; mermaid: a Mermaid flowchart; dot: a Graphviz digraph.",
            HelpName = "text|mermaid|dot",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong(GraphFormats.Names);
        var command = new Command("graph", "Prints the compiled block graph of a file's pipelines: blocks, fused operators, parallelism, bounds and edges. Builds the pipelines without connecting or running anything.")
        {
            file,
            format,
            pipeline,
            set,
        };
        command.SetAction((parse, _) => ExecuteAsync(context, parse.GetRequiredValue(file), parse.GetRequiredValue(format), parse.GetValue(pipeline), parse.GetValue(set)));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string file, string format, string[]? names, string[]? sets)
    {
        var registry = context.Registry();
        if (DefinitionFiles.Open(context, registry, file, sets, names) is not var (definition, selected))
        {
            return ExitCodes.InvalidInput;
        }

        var factory = new PipelineFactory(registry, DefinitionFiles.FactoryOptions(context, file));
        await using (factory.ConfigureAwait(false))
        {
            if (DefinitionFiles.Build(context, factory.Create, selected) is not { } pipelines)
            {
                return ExitCodes.InvalidInput;
            }

            context.Out.Write(definition.Scrub(GraphFormats.Render(format, [.. pipelines.Select(p => p.Describe())])));
            return ExitCodes.Success;
        }
    }
}
