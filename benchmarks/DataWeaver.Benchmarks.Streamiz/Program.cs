using System.Globalization;
using DataWeaver.Benchmarks.Streamiz;

// A windowed count from Kafka to Kafka on librdkafka's mock cluster (in a child process), DataWeaver against
// Streamiz.Kafka.Net 1.8.2, interleaved rounds, wall and process CPU time:
//   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks.Streamiz -- --probe-kafka-window [rounds] [records]
// (defaults: 3 rounds, 250,000 records); --max-poll-records N sets Streamiz's MaxPollRecords (default 500). The child process is this program with --mock-cluster.
if (args is ["--mock-cluster", ..])
{
    await MockClusterProcess.HostAsync();
    return 0;
}

if (Array.IndexOf(args, "--max-poll-records") is var at and >= 0)
{
    WindowedCountPeers.MaxPollRecords = long.Parse(args[at + 1], CultureInfo.InvariantCulture);
    args = [.. args[..at], .. args[(at + 2)..]];
}

var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var records = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 250_000;
return await KafkaWindowProbe.RunAsync(rounds, records);
