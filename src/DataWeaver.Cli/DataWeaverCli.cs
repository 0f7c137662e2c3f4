using System.CommandLine;
using DataWeaver.Cli.Convert;
using DataWeaver.Cli.Graph;
using DataWeaver.Cli.List;
using DataWeaver.Cli.Run;
using DataWeaver.Cli.Test;
using DataWeaver.Cli.Validate;

namespace DataWeaver.Cli;

/// <summary>The <c>dataweaver</c> command line: <c>run</c>, <c>validate</c>, <c>test</c>, <c>graph</c>, <c>list</c>, <c>convert</c> and <c>avro</c>.</summary>
internal static class DataWeaverCli
{
    /// <summary>Parses the arguments and runs the command they name; the entry of the executable and of the tests.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="context">The process context; tests pass their own to capture output and raise stop signals.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = CreateRootCommand(context);
        return root.Parse(args).InvokeAsync(new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            ProcessTerminationTimeout = null, // the commands handle Ctrl+C and SIGTERM themselves (drain, then abort)
        });
    }

    /// <summary>Creates the root command with every subcommand.</summary>
    /// <param name="context">The process context the commands use.</param>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRootCommand(CliContext context) => new("dataweaver: run, validate, test and graph pipeline definition files; list what they may use; convert between JSON lines, Avro and CSV.")
    {
        RunCommand.Create(context),
        ValidateCommand.Create(context),
        TestCommand.Create(context),
        GraphCommand.Create(context),
        ListCommand.Create(context),
        ConvertCommand.Create(context),
        Avro.AvroCommand.Create(context),
    };
}
