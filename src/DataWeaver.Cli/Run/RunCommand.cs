using System.CommandLine;
using DataWeaver.Cli.Common;
using DataWeaver.Cli.Logging;
using DataWeaver.Cli.Run.Reload;
using DataWeaver.Configuration;
using DataWeaver.Operations;

namespace DataWeaver.Cli.Run;

/// <summary><c>dataweaver run FILE</c>: validates a definition file, then runs its pipelines with live progress until they end or are stopped.</summary>
internal static class RunCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var file = DefinitionFiles.FileArgument();
        var set = DefinitionFiles.SetOption();
        var pipeline = DefinitionFiles.PipelineOption("Runs only this pipeline (repeatable); the default is every pipeline of the file.");
        var drainTimeout = Durations.Option("--drain-timeout", RunSettings.DefaultDrainTimeout, "After the first Ctrl+C or SIGTERM, how long the pipelines may drain before they are aborted.", allowInfinite: true);
        var progressInterval = Durations.Option("--progress-interval", RunSettings.DefaultProgressInterval, "When standard error is not a terminal: how often a progress line is printed per pipeline.");
        var http = new Option<string>("--http")
        {
            Description = "Serves Prometheus metrics, health and the management API on HOST:PORT (for example 127.0.0.1:9464; off by default). When the environment variable " + HttpTokenVariable + " is set, the API requires it as a bearer token.",
            HelpName = "HOST:PORT",
        };
        var watch = new Option<bool>("--watch")
        {
            Description = "Reloads the definition file when it changes (after it has been quiet for 500 ms), as SIGHUP and POST /reload do: changed pipelines are drained and started again from their committed positions, unchanged ones keep running, an invalid file changes nothing.",
        };
        var otlpEndpoint = new Option<string>("--otlp-endpoint")
        {
            Description = "Exports traces (a span per batch, stage and sink write; docs/tracing.md) over OTLP/HTTP (protobuf) to this collector, for example http://127.0.0.1:4318 (/v1/traces is added when the URL has no path). Off by default.",
            HelpName = "URL",
        };
        var sampleRatio = new Option<double>("--trace-sample-ratio")
        {
            Description = "With --otlp-endpoint: the share of new traces sampled, 0 to 1 (default 0.01). Parent-based: a batch whose first record carries a trace context follows that context's sampled flag.",
            DefaultValueFactory = _ => new Hosting.DataWeaverTracingOptions().SampleRatio,
        };
        var log = new LogOptions();
        var command = new Command("run", "Validates a pipeline definition file and runs its pipelines side by side until their sources run out or a stop signal drains them. Standard output carries only what sinks write there; progress (a live table on a terminal, plain lines otherwise), the summary, logs and errors go to standard error.")
        {
            file,
            pipeline,
            set,
            drainTimeout,
            progressInterval,
            http,
            watch,
            otlpEndpoint,
            sampleRatio,
        };
        log.AddTo(command);
        command.SetAction((parse, _) => ExecuteAsync(
            context,
            parse.GetRequiredValue(file),
            parse.GetValue(pipeline),
            parse.GetValue(set),
            new RunSettings(parse.GetValue(drainTimeout), parse.GetValue(progressInterval)),
            parse.GetValue(http),
            parse.GetValue(watch),
            (parse.GetValue(otlpEndpoint), parse.GetValue(sampleRatio)),
            log.Read(parse)));
        return command;
    }

    /// <summary>The environment variable holding the management API's bearer token (a secret: never on the command line).</summary>
    public const string HttpTokenVariable = "DATAWEAVER_HTTP_TOKEN";

    private static async Task<int> ExecuteAsync(
        CliContext context, string file, string[]? names, string[]? sets, RunSettings settings, string? http, bool watch, (string? Endpoint, double SampleRatio) tracing, LogSettings logSettings)
    {
        using var log = new CliLog(context.Error, logSettings, context.Time);
        if (!RunTracing.TryStart(context, tracing.Endpoint, tracing.SampleRatio, out var tracerProvider))
        {
            return ExitCodes.InvalidInput;
        }

        using var traces = tracerProvider; // disposed after the run: exports the spans still buffered
        var registry = context.Registry();
        if (DefinitionFiles.Open(context, registry, file, sets, names) is not var (definition, selected))
        {
            return ExitCodes.InvalidInput;
        }

        // A sink writing records to a terminal's standard output owns the terminal: a live table would be torn by them.
        var session = context with { IsInteractive = context.IsInteractive && !(context.OutputIsTerminal && selected.Any(StandardOutput.IsWrittenBy)) };
        var manager = new PipelineManager(new PipelineManagerOptions { Registry = registry, Factory = DefinitionFiles.FactoryOptions(context, file, log) });
        await using (manager.ConfigureAwait(false))
        {
            if (DefinitionFiles.Build(context, manager.CreatePipeline, selected) is not { } built)
            {
                return ExitCodes.InvalidInput;
            }

            var pipelines = new SessionPipelines(built);
            using var reloader = new DefinitionReloader(context, file, sets, names, manager, pipelines, settings.DrainTimeout);
            reloader.Loaded(definition);
            log.UseScrubber(reloader.Scrub); // the secrets of every version of the file
            if (!session.IsInteractive)
            {
                context.Error.WriteLine(reloader.Scrub($"running {string.Join(", ", built.Select(p => p.Name))} from {file}; Ctrl+C or SIGTERM drains, a second one aborts"));
            }

            var operated = new OperatedPipelines(() => pipelines.Select(static p => p.Host)) { Reload = _ => reloader.ReloadAsync("POST /reload") };
            OperationsServer? server = null;
            if (http is not null && (server = await StartOperationsAsync(context, http, operated).ConfigureAwait(false)) is null)
            {
                return ExitCodes.InvalidInput;
            }

            try
            {
                using var hangUp = context.ReloadSignals(() => _ = reloader.ReloadAsync("SIGHUP"));
                using var watcher = watch ? new DefinitionFileWatcher(context.FullPath(file), context.Time, () => reloader.ReloadAsync("--watch")) : null;
                return await RunSession.RunAsync(session, manager, pipelines, settings with { Log = log }, reloader.Scrub, server is null ? null : operated).ConfigureAwait(false) switch
                {
                    RunOutcome.Failed => ExitCodes.RuntimeFailure,
                    RunOutcome.Aborted => ExitCodes.Aborted,
                    _ => ExitCodes.Success,
                };
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Starts the operations endpoint before the pipelines start (so readiness is false until they run).</summary>
    private static async Task<OperationsServer?> StartOperationsAsync(CliContext context, string listen, OperatedPipelines pipelines)
    {
        try
        {
            var token = context.Environment(HttpTokenVariable);
            var server = await OperationsServer.StartAsync(listen, pipelines, new OperationsOptions { BearerToken = string.IsNullOrEmpty(token) ? null : token }).ConfigureAwait(false);
            context.Error.WriteLine($"operations endpoint on {server.Address} (/metrics, /health/live, /health/ready, /api/pipelines, /reload{(token is { Length: > 0 } ? ", bearer token required" : string.Empty)})");
            return server;
        }
        catch (Exception exception) when (exception is ArgumentException or IOException or InvalidOperationException)
        {
            context.Error.WriteLine($"error: --http {listen}: {exception.Message}");
            return null;
        }
    }
}
