using System.Text.RegularExpressions;
using DataWeaver.Configuration;
using Spectre.Console;

namespace DataWeaver.Cli.Tests.Infrastructure;

/// <summary>What a command printed and returned.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- out\n{Out}\n--- error\n{Error}";
}

/// <summary>
/// Runs the CLI in process through the entry the executable uses (<see cref="DataWeaverCli.RunAsync"/>), with captured
/// output, its own environment variables and working directory, and stop signals raised by hand.
/// </summary>
internal sealed class InProcessCli
{
    private readonly StringWriter _out = new();
    private readonly TextWriter _syncOut;
    private readonly TextWriter _syncError;
    private readonly StringWriter _error = new();
    private readonly List<Action> _handlers = [];
    private readonly List<Action> _reloadHandlers = [];
    private readonly Lock _lock = new();

    public InProcessCli()
    {
        _syncOut = TextWriter.Synchronized(_out);
        _syncError = TextWriter.Synchronized(_error);
    }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public required string WorkingDirectory { get; init; }

    public bool Interactive { get; init; }

    /// <summary>Gets a value indicating whether standard output counts as a terminal.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Gets the width of the live table's terminal.</summary>
    public int TerminalWidth { get; init; } = 160;

    public Func<ConnectorRegistry>? Registry { get; init; }

    /// <summary>Gets what was printed on standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (_syncError) // the lock the synchronized writer takes for every write
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Gets what was printed on standard output so far.</summary>
    public string Out
    {
        get
        {
            lock (_syncOut) // the lock the synchronized writer takes for every write
            {
                return _out.ToString();
            }
        }
    }

    /// <summary>Runs a command line and waits for it to end.</summary>
    public Task<CliResult> RunAsync(params string[] args) => StartAsync(args);

    /// <summary>Starts a command line; await the task for its result.</summary>
    public async Task<CliResult> StartAsync(IReadOnlyList<string> args)
    {
        var error = _syncError;
        var context = new CliContext
        {
            Out = _syncOut,
            Error = error,
            IsInteractive = Interactive,
            OutputIsTerminal = OutputIsTerminal,
            Terminal = Interactive
                ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(error) })
                : null,
            Environment = name => Environment.TryGetValue(name, out var value) ? value : null,
            WorkingDirectory = WorkingDirectory,
            StopSignals = Subscribe,
            ReloadSignals = handler => Subscribe(handler, _reloadHandlers),
            Registry = Registry ?? CliRegistry.Create,
        };
        if (context.Terminal is { } terminal)
        {
            terminal.Profile.Width = TerminalWidth;
        }

        var code = await Task.Run(() => DataWeaverCli.RunAsync(args, context));
        return new CliResult(code, _out.ToString(), _error.ToString());
    }

    /// <summary>Raises a stop signal (as SIGTERM or Ctrl+C would) to the running command.</summary>
    public void Signal()
    {
        Action[] handlers;
        lock (_lock)
        {
            handlers = [.. _handlers];
        }

        Assert.NotEmpty(handlers);
        foreach (var handler in handlers)
        {
            handler();
        }
    }

    /// <summary>Waits until standard error (progress, summaries, logs) contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, Task running) => WaitForOutputAsync(new Regex(Regex.Escape(text)), running);

    /// <summary>Waits until standard error matches <paramref name="pattern"/>.</summary>
    public async Task WaitForOutputAsync(Regex pattern, Task running)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!pattern.IsMatch(Error))
        {
            Assert.False(running.IsCompleted, $"The command ended before printing '{pattern}': {(running.IsCompletedSuccessfully ? ((Task<CliResult>)running).Result : running.Exception)}");
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Raises a reload signal (as SIGHUP would) to the running command.</summary>
    public void ReloadSignal()
    {
        Action[] handlers;
        lock (_lock)
        {
            handlers = [.. _reloadHandlers];
        }

        Assert.NotEmpty(handlers);
        foreach (var handler in handlers)
        {
            handler();
        }
    }

    private Subscription Subscribe(Action handler) => Subscribe(handler, _handlers);

    private Subscription Subscribe(Action handler, List<Action> handlers)
    {
        lock (_lock)
        {
            handlers.Add(handler);
        }

        return new Subscription(() =>
        {
            lock (_lock)
            {
                handlers.Remove(handler);
            }
        });
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
