using System.Globalization;
using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Windowing;

namespace DataWeaver.Kafka.Harness;

/// <summary>
/// The windowed-count mode: KafkaSource(input) -> a per-key tumbling-window count by event time (the message timestamp)
/// -> KafkaSink(output), one record per key and window: key "KEY@START-UNIX-MS", value the count as text, timestamp the
/// window's end. Continuous commits; SIGTERM/SIGINT drain it (open windows are not emitted), the crash tests kill it
/// with SIGKILL. Prints "state: ..." at the end.
/// </summary>
internal static class WindowedCountRun
{
    /// <summary>Runs until a stop signal.</summary>
    /// <param name="args">
    /// windowed-count BOOTSTRAP INPUT OUTPUT GROUP WINDOW-MS OUT-OF-ORDERNESS-MS PAUSE-EVERY [STATE-DIRECTORY]: with a state
    /// directory the window's state is checkpointed there (WindowOptions.CheckpointState, a snapshot every batch).
    /// </param>
    /// <returns>The exit code: 0 when the run completed or was stopped.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var bootstrap = args[1];
        var input = args[2];
        var outputTopic = args[3];
        var group = args[4];
        var size = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));
        var outOfOrderness = TimeSpan.FromMilliseconds(int.Parse(args[6], CultureInfo.InvariantCulture));
        var pauseEvery = long.Parse(args[7], CultureInfo.InvariantCulture);
        var stateDirectory = args.Length > 8 ? args[8] : null;
        var options = new KafkaStreamOptions
        {
            BootstrapServers = bootstrap,
            ClientId = "windowed-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            ConsumerBufferMessages = 2_000,
            LogHandler = line =>
            {
                if (line.Level <= KafkaLogLevel.Warning)
                {
                    Console.WriteLine($"kafka {line.Level} {line.Facility}: {line.Message}");
                }
            },
            ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
        };
        await using var kafka = new KafkaStreamFramework(options);
        await kafka.StartAsync();
        var source = new KafkaSource(kafka, input, new StreamConsumerOptions { GroupId = group });
        long seen = 0;
        var pipeline = Pipeline.From(source, new PipelineOptions { Name = "windowed-count", CommitInterval = TimeSpan.Zero, BatchSize = 256 })
            .Map(record =>
            {
                if (pauseEvery > 0 && Interlocked.Increment(ref seen) % pauseEvery == 0)
                {
                    Thread.Sleep(1); // paces the run so that kills land mid-stream
                }

                return record;
            })
            .WindowByEventTime(
                r => r.Timestamp,
                r => Encoding.UTF8.GetString(r.Key.Span), // a copy: the key must not refer to the pooled payload
                _ => 1,
                new WindowOptions
                {
                    Size = size,
                    MaxOutOfOrderness = outOfOrderness,
                    MaxKeys = 1_000_000,
                    CheckpointState = stateDirectory is not null,
                    StateStore = stateDirectory is null ? null : new FileCheckpointStore(stateDirectory),
                    SnapshotInterval = TimeSpan.Zero,
                })
            .Map(w => new Record<ReadOnlyMemory<byte>>(
                Encoding.UTF8.GetBytes(w.Key + "@" + w.Start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
                Encoding.UTF8.GetBytes(w.Count.ToString(CultureInfo.InvariantCulture)),
                null,
                w.End,
                default))
            .To(new KafkaSink(options, outputTopic))
            .Build();
        var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30));
        Console.WriteLine($"state: {state}");
        return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;
    }
}
