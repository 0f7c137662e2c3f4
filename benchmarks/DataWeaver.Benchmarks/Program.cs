using BenchmarkDotNet.Running;
using DataWeaver.Benchmarks.Core;
using DataWeaver.Benchmarks.Serialization;

// Runs the benchmarks picked on the command line, for example:
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --filter '*PipelineThroughput*'
// or, for a quick in-process look at time and bytes per record with fractions:
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --probe
// the connectors suite (JSON-lines file copy, in-process stream framework against a channel):
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --filter '*Connectors*'
// and for the serialization benchmarks (records/s and bytes per record):
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --probe-serialization
// or for the Protobuf rows alone:
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --probe-protobuf
// or Avro against Apache.Avro (the 10-field record, load-tolerant):
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --probe-apache-avro
if (args is ["--probe-formats", ..])
{
    // file -> file per format, pipeline and Baseline interleaved: --probe-formats [csv|json|avro|protobuf] [rounds]
    await DataWeaver.Benchmarks.Formats.FormatFileProbe.RunAsync(args.Length > 1 && args[1] != "all" ? args[1] : null, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5, args.Contains("--steps") ? DataWeaver.Benchmarks.Formats.FormatFileProbe.FormatOf : null).ConfigureAwait(false);
    return;
}

if (args is ["--probe-distinct", ..])
{
    // exact vs approximate distinct count in a window, CPU ns/record: --probe-distinct [rounds]
    await DataWeaver.Benchmarks.Stateful.DistinctCountBenchmarks.ProbeAsync(args.Length > 1 && int.TryParse(args[1], out var distinctRounds) ? distinctRounds : 5).ConfigureAwait(false);
    return;
}

if (args is ["--probe-window", ..])
{
    // per-key tumbling-window count, 10M events: --probe-window [rounds] [--akka]
    await DataWeaver.Benchmarks.Stateful.WindowCountProbe.RunAsync(args.Length > 1 && int.TryParse(args[1], out var rounds) ? rounds : 5, args.Contains("--akka")).ConfigureAwait(false);
    return;
}

if (args is ["--probe-protobuf", ..])
{
    ProtobufSerializationProbe.Run();
    return;
}

if (args is ["--probe-serialization", ..])
{
    SerializationProbe.Run();
    ProtobufSerializationProbe.Run();
    return;
}

if (args is ["--probe-apache-avro", ..])
{
    // Avro encode/decode of the 10-field trade record against Apache.Avro 1.12.2, interleaved, best round of each
    DataWeaver.Benchmarks.Serialization.Apache.ApacheAvroBenchmarks.RunProbe(Console.Out);
    return;
}

if (args is ["--probe", ..])
{
    await ThroughputProbe.RunAsync().ConfigureAwait(false);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
