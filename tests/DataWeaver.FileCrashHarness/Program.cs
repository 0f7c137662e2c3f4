using DataWeaver.Configuration;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;

// Runs the only pipeline of a definition file (the `file` source, checkpointed -> transforms -> the `file` sink), as
// `dataweaver run` would, so that crash tests can kill it with SIGKILL and restart it.
//   dotnet DataWeaver.FileCrashHarness.dll <definition.yaml> [name=value ...]
// Each name=value replaces ${name} in the file (e.g. run=3 for a new output file per run). Relative paths resolve
// against the definition's folder. Exit code 0: the input was read to its end (or a stop signal drained the run).
// pace=N (a name=value too) slows the run down: the transform `- code: { name: pace }` sleeps 1 ms every N records, so
// that a crash test's kills land while the input is still being read, however idle the machine.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: DataWeaver.FileCrashHarness <definition.yaml> [name=value ...]");
    return 2;
}

var path = Path.GetFullPath(args[0]);
var variables = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
var paceEvery = variables.TryGetValue("pace", out var pace) ? int.Parse(pace, System.Globalization.CultureInfo.InvariantCulture) : 0;
var paced = 0L;
var registry = ConnectorRegistry.CreateDefault().AddCsv().AddAvro().AddProtobuf()
    .RegisterTransform("pace", record =>
    {
        if (paceEvery > 0 && Interlocked.Increment(ref paced) % paceEvery == 0)
        {
            Thread.Sleep(1);
        }

        return record;
    });
var folder = Path.GetDirectoryName(path)!;
var file = PipelineDefinitionLoader.Parse(
    File.ReadAllText(path),
    Path.GetFileName(path),
    new PipelineLoadOptions { Registry = registry, Environment = name => variables.GetValueOrDefault(name), BaseDirectory = folder });
await using var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = folder });
var pipeline = factory.Create(file.Pipelines.Single());
var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30));
Console.WriteLine(state);
return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;
