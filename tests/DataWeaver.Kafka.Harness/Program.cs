using System.Globalization;
using DataWeaver.Hosting;
using DataWeaver.Kafka;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Streams;

// One member of a consumer group: KafkaSource(input) -> Map (value + 'm') -> KafkaSink(output, same partition), with
// continuous commits. Prints "assignment: p,q,..." whenever its partitions change and "state: ..." at the end.
// SIGTERM/SIGINT drain it (exit 0); the scale-out tests also kill it with SIGKILL.
//   DataWeaver.Kafka.Harness BOOTSTRAP INPUT OUTPUT GROUP MAX-IN-FLIGHT PAUSE-EVERY [GROUP-PROTOCOL]
// GROUP-PROTOCOL is a KafkaGroupProtocol name (Classic by default).
//   DataWeaver.Kafka.Harness definition-file FILE
// runs every pipeline of a definition file to its end with a logger that prints "log LEVEL CATEGORY: message" lines to
// standard output (KafkaDefinitionFileTests: librdkafka's lines reach the logger, nothing reaches standard error).
//   DataWeaver.Kafka.Harness windowed-count BOOTSTRAP INPUT OUTPUT GROUP WINDOW-MS OUT-OF-ORDERNESS-MS PAUSE-EVERY
// counts records per key in tumbling event-time windows (WindowedCountRun; the windowing crash tests kill it).
if (args[0] == "definition-file")
{
    return await DataWeaver.Kafka.Harness.DefinitionFileRun.RunAsync(args[1]);
}

if (args[0] == "windowed-count")
{
    return await DataWeaver.Kafka.Harness.WindowedCountRun.RunAsync(args);
}

var bootstrap = args[0];
var input = args[1];
var outputTopic = args[2];
var group = args[3];
var maxInFlight = int.Parse(args[4], CultureInfo.InvariantCulture);
var pauseEvery = long.Parse(args[5], CultureInfo.InvariantCulture);
var protocol = args.Length > 6 ? Enum.Parse<KafkaGroupProtocol>(args[6]) : KafkaGroupProtocol.Classic;

var options = new KafkaStreamOptions
{
    BootstrapServers = bootstrap,
    ClientId = "harness-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
    ConsumerBufferMessages = 2_000,
    LogHandler = line =>
    {
        if (line.Facility == "REVOKE" || line.Level <= KafkaLogLevel.Warning)
        {
            Console.WriteLine($"kafka {line.Level} {line.Facility}: {line.Message}");
        }
    },
    GroupProtocol = protocol,
    // Under KIP-848 the session and heartbeat are the brokers' settings (the client refuses them).
    ConsumerSettings = protocol == KafkaGroupProtocol.Consumer
        ? null
        : new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
};
await using var kafka = new KafkaStreamFramework(options);
await kafka.StartAsync();
var source = new KafkaSource(kafka, input, new StreamConsumerOptions { GroupId = group });
long seen = 0;
var pipeline = Pipeline.From(source, new PipelineOptions { Name = "scale-out", CommitInterval = TimeSpan.Zero, MaxInFlightRecords = maxInFlight, BatchSize = 256 })
    .Map(record =>
    {
        if (pauseEvery > 0 && Interlocked.Increment(ref seen) % pauseEvery == 0)
        {
            Thread.Sleep(1); // paces the member so that stops and kills land mid-stream
        }

        var mapped = new byte[record.Value.Length + 1];
        record.Value.Span.CopyTo(mapped);
        mapped[^1] = (byte)'m';
        return record.WithValue<ReadOnlyMemory<byte>>(mapped);
    })
    .To(new KafkaSink(options, outputTopic, new StreamSinkOptions { KeepPartition = true }))
    .Build();

using var watching = new CancellationTokenSource();
var watcher = Task.Run(async () =>
{
    var last = string.Empty;
    while (!watching.IsCancellationRequested)
    {
        var now = string.Join(',', source.Assignment);
        if (now != last)
        {
            Console.WriteLine("assignment: " + now);
            last = now;
        }

        await Task.Delay(50, CancellationToken.None);
    }
});
var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30));
await watching.CancelAsync();
await watcher;
Console.WriteLine($"state: {state}");
return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;
