using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json.Nodes;
using DataWeaver.Cli.Common;
using DataWeaver.Cli.Logging;
using DataWeaver.Cli.Run;
using DataWeaver.Configuration;
using DataWeaver.Connectors.Memory;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Cli.Test;

/// <summary>
/// <c>dataweaver test FILE</c>: runs a definition's pipelines on the input records a test file gives and compares what
/// each sink gets with the records the file expects (as <c>rpk connect test</c> and <c>vector test</c> do). The source is
/// replaced by the test's records and every sink (and the dead-letter target) by one that keeps what it gets: the
/// transforms, batching, parallelism and error policy run as in <c>run</c>, and nothing outside is read or written.
/// </summary>
internal static class TestCommand
{
    /// <summary>The source type that gives a test's input records.</summary>
    public const string InputType = "dataweaver-test-input";

    /// <summary>The sink type that keeps what a sink gets.</summary>
    public const string OutputType = "dataweaver-test-output";

    /// <summary>How long one test may run before it fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates the command.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The test file (.yaml, .yml or .json): the definition file it tests, and tests of input records and expected output records." };
        var log = new LogOptions();
        var command = new Command("test", "Runs a definition file's pipelines on the input records of a test file and checks that each sink gets the expected records; prints a diff for each difference. Exit code 0 when every test passes, 1 when one fails, 2 when the files are invalid.")
        {
            file,
        };
        log.AddTo(command);
        command.SetAction((parse, _) => ExecuteAsync(context, parse.GetRequiredValue(file), log.Read(parse)));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string file, LogSettings logSettings)
    {
        TestFile tests;
        try
        {
            tests = TestFile.Read(context.FullPath(file));
        }
        catch (Exception exception) when (exception is FormatException or IOException or UnauthorizedAccessException)
        {
            var message = exception is FileNotFoundException or DirectoryNotFoundException ? "The file does not exist." : exception.Message;
            context.Error.WriteLine(char.IsAsciiDigit(message[0]) ? $"{file}:{message}" : $"{file}: {message}");
            return ExitCodes.InvalidInput;
        }

        using var log = new CliLog(context.Error, logSettings, context.Time);
        var registry = context.Registry();
        var definitionFile = Path.GetRelativePath(context.WorkingDirectory, tests.Definition);
        if (DefinitionFiles.Load(context, registry, definitionFile, [.. tests.Variables.Select(v => $"{v.Key}={v.Value}")]) is not { } definition)
        {
            return ExitCodes.InvalidInput;
        }

        log.UseScrubber(definition.Scrub);
        var current = new Capture();
        registry
            .RegisterSource(InputType, c => new CollectionSource<JsonRecord>(current.Input, c.Name))
            .RegisterSink(OutputType, c => new CaptureSink(c.Name, current.Queue(c.Name, c.Role)));
        var factory = new PipelineFactory(registry, DefinitionFiles.FactoryOptions(context, definitionFile, log));
        await using (factory.ConfigureAwait(false))
        {
            var failed = 0;
            foreach (var test in tests.Cases)
            {
                var problems = await RunAsync(context, factory, definition, test, current).ConfigureAwait(false);
                var pipeline = test.Pipeline ?? (definition.Pipelines.Count == 1 ? definition.Pipelines[0].Name : "?");
                context.Out.WriteLine(definition.Scrub($"{(problems.Count == 0 ? "PASS" : "FAIL")} {test.Name} (pipeline {pipeline})"));
                foreach (var problem in problems)
                {
                    context.Out.WriteLine(definition.Scrub("  " + problem.Replace("\n", "\n  ", StringComparison.Ordinal)));
                }

                failed += problems.Count == 0 ? 0 : 1;
            }

            var count = tests.Cases.Count;
            context.Out.WriteLine($"{count} test{(count == 1 ? string.Empty : "s")}: {count - failed} passed, {failed} failed");
            return failed == 0 ? ExitCodes.Success : ExitCodes.TestFailed;
        }
    }

    /// <summary>Runs one test; returns its problems (none when it passed).</summary>
    private static async Task<List<string>> RunAsync(CliContext context, PipelineFactory factory, PipelineFileDefinition file, TestCase test, Capture capture)
    {
        PipelineDefinition? pipeline = null;
        if (test.Pipeline is null ? file.Pipelines.Count != 1 : !file.TryGetPipeline(test.Pipeline, out pipeline))
        {
            return [$"name the pipeline to test with 'pipeline:'; the file has: {string.Join(", ", file.Pipelines.Select(p => p.Name))}"];
        }

        pipeline ??= file.Pipelines[0];
        var sinks = pipeline.Sinks.Select(s => s.Name).ToList();
        if (test.Output.Keys.FirstOrDefault(k => k != TestFile.OnlySink && !sinks.Contains(k)) is { } unknown)
        {
            return [$"the pipeline has no sink named '{unknown}'; its sinks: {string.Join(", ", sinks)}"];
        }

        if (test.Output.ContainsKey(TestFile.OnlySink) && sinks.Count != 1)
        {
            return [$"'output' as a list is for a pipeline with one sink; this one has {sinks.Count}: map sink names to records ({string.Join(", ", sinks)})"];
        }

        capture.Reset([.. test.Input.Select(r => JsonRecord.Parse(RecordDiff.Text(r)))]);
        var replaced = pipeline with
        {
            Framework = FrameworkDefinition.InProcess,
            Source = Replace(pipeline.Source, InputType),
            Sinks = [.. pipeline.Sinks.Select(s => Replace(s, OutputType))],
            Errors = pipeline.Errors.DeadLetter is { } deadLetter ? pipeline.Errors with { DeadLetter = Replace(deadLetter, OutputType) } : pipeline.Errors,
        };

        List<string> problems = [];
        try
        {
            using var timeout = new CancellationTokenSource(Timeout, context.Time);
            await factory.Create(replaced).RunAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return [$"the pipeline did not end within {Timeout.TotalSeconds:0} s"];
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            problems.Add(RunSummary.Error(pipeline.Name, exception).Replace("error: ", string.Empty, StringComparison.Ordinal));
        }

        foreach (var (sink, expected) in test.Output)
        {
            var name = sink == TestFile.OnlySink ? sinks[0] : sink;
            problems.AddRange(RecordDiff.Compare(name, expected, [.. capture.Written(name, ConnectorRole.Sink).Select(t => JsonNode.Parse(t))]));
        }

        if (test.DeadLetters is { } deadLetters)
        {
            var got = pipeline.Errors.DeadLetter is { } target ? capture.Written(target.Name, ConnectorRole.DeadLetter).Count : 0;
            if (got != deadLetters)
            {
                problems.Add($"expected {deadLetters} dead letter{(deadLetters == 1 ? string.Empty : "s")}, got {got}{(pipeline.Errors.DeadLetter is null ? " (the pipeline has no dead-letter target)" : string.Empty)}");
            }
        }

        return problems;
    }

    private static ConnectorDefinition Replace(ConnectorDefinition connector, string type) =>
        connector with { Type = type, Format = FormatDefinition.Json, Settings = ConfigValue.Mapping([]) };

    /// <summary>The input of the test running and what its sinks got.</summary>
    private sealed class Capture
    {
        private readonly ConcurrentDictionary<(string, ConnectorRole), ConcurrentQueue<string>> _written = new();

        public IReadOnlyList<JsonRecord> Input { get; private set; } = [];

        public void Reset(IReadOnlyList<JsonRecord> input)
        {
            Input = input;
            _written.Clear();
        }

        public ConcurrentQueue<string> Queue(string sink, ConnectorRole role) => _written.GetOrAdd((sink, role), _ => new());

        public IReadOnlyList<string> Written(string sink, ConnectorRole role) => _written.TryGetValue((sink, role), out var queue) ? [.. queue] : [];
    }
}
