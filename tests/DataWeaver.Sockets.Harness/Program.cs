using System.Runtime.InteropServices;
using DataWeaver.Configuration;
using DataWeaver.Sockets.Configuration;

// Runs one pipeline of a definition file with the built-in connectors and the socket connectors:
//   DataWeaver.Sockets.Harness FILE PIPELINE
// SIGTERM or SIGINT drain the run (exit 0); SIGKILL is what the kill test sends.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: DataWeaver.Sockets.Harness FILE PIPELINE");
    return 2;
}

var registry = ConnectorRegistry.CreateDefault().AddSockets();
await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = registry });
manager.CreatePipelines(PipelineDefinitionLoader.Parse(File.ReadAllText(args[0]), args[0], new PipelineLoadOptions { Registry = registry }));
var run = manager.StartPipeline(args[1]);
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
Console.WriteLine("harness: running");
await Task.WhenAny(run.Completion, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
if (!run.Completion.IsCompleted)
{
    await manager.StopPipelineAsync(args[1]);
}

return 0;
