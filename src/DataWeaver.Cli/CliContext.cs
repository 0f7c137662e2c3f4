using DataWeaver.Hosting;

namespace DataWeaver.Cli;

/// <summary>
/// What a command sees of its process: where it writes, whether its output is a terminal, the environment, the working
/// directory, the clock and the stop signals. <see cref="FromProcess"/> gives the real ones; tests build their own, so
/// the commands run in process with captured output exactly as the executable runs them.
/// </summary>
/// <remarks>
/// Standard output is for data: what a command produces (a graph, <c>validate</c>'s verdict, <c>list</c>, <c>test</c>'s
/// report) and what a pipeline's sinks write there. Everything about a run (banner, progress, summary, logs, errors)
/// goes to standard error, so <c>dataweaver run file.yaml | jq .</c> sees only records.
/// </remarks>
internal sealed record CliContext
{
    /// <summary>Gets where a command's own results go (standard output).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Gets where errors, logs, progress, summaries and stop notices go (standard error).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Error"/> is an interactive terminal, where progress is a live table.</summary>
    /// <value>The default is <see langword="false"/>: plain progress lines.</value>
    public bool IsInteractive { get; init; }

    /// <summary>Gets a value indicating whether standard output is a terminal (then a sink writing records there owns it, and no live table is drawn).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Gets the console the live progress table draws on when <see cref="IsInteractive"/>: standard error.</summary>
    /// <value>The default is <see langword="null"/>: a Spectre.Console console on <see cref="Console.Error"/>.</value>
    public Spectre.Console.IAnsiConsole? Terminal { get; init; }

    /// <summary>Gets the connector registry of definition files (see <see cref="CliRegistry"/>).</summary>
    /// <value>The default is <see cref="CliRegistry.Create"/>: the built-ins, Kafka and NATS JetStream.</value>
    public Func<Configuration.ConnectorRegistry> Registry { get; init; } = CliRegistry.Create;

    /// <summary>Gets how environment variables are looked up (for <c>${NAME}</c> in definition files).</summary>
    /// <value>The default is the process's environment.</value>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Gets the folder relative paths (arguments, connector settings) resolve against.</summary>
    /// <value>The default is the process's current directory.</value>
    public string WorkingDirectory { get; init; } = System.Environment.CurrentDirectory;

    /// <summary>Gets the clock of progress intervals and drain timeouts.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Gets the subscription to stop signals: called with the handler to run on each signal, returns what ends the
    /// subscription. The handler MUST be called for every signal, from any thread.
    /// </summary>
    /// <value>The default is SIGINT (Ctrl+C), SIGTERM and SIGQUIT, whose default action (ending the process) is cancelled (<see cref="PipelineShutdown.SubscribeToSignals"/>).</value>
    public Func<Action, IDisposable> StopSignals { get; init; } = PipelineShutdown.SubscribeToSignals;

    /// <summary>
    /// Gets the subscription to reload signals (<c>dataweaver run</c> reloads its definition file on each): called with the
    /// handler, returns what ends the subscription. The handler MUST be called for every signal, from any thread.
    /// </summary>
    /// <value>The default is SIGHUP, whose default action (ending the process) is cancelled.</value>
    public Func<Action, IDisposable> ReloadSignals { get; init; } = Run.Reload.ReloadSignal.Subscribe;

    /// <summary>Gets the context of the running process: the console, its environment and its signals.</summary>
    /// <returns>The context.</returns>
    public static CliContext FromProcess()
    {
        var terminal = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(Console.Error) });
        return new()
        {
            Out = Console.Out,
            Error = Console.Error,
            IsInteractive = !Console.IsErrorRedirected && terminal.Profile.Capabilities.Interactive && terminal.Profile.Capabilities.Ansi,
            OutputIsTerminal = !Console.IsOutputRedirected,
            Terminal = terminal,
        };
    }

    /// <summary>Gets the terminal the live table draws on: <see cref="Terminal"/>, else a console on <see cref="Error"/>.</summary>
    /// <returns>The console.</returns>
    public Spectre.Console.IAnsiConsole LiveTerminal() =>
        Terminal ?? Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(Error) });

    /// <summary>Resolves a path given on the command line against <see cref="WorkingDirectory"/>.</summary>
    /// <param name="path">The path as given.</param>
    /// <returns>The full path.</returns>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);
}
