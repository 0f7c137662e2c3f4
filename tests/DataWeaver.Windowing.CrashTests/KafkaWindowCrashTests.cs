using System.Globalization;
using System.Text;
using Confluent.Kafka;
using DataWeaver.Kafka.Testing;
using Xunit.Abstractions;

namespace DataWeaver.Windowing.CrashTests;

/// <summary>
/// Issue 14's crash Must-show from Kafka: the Kafka harness's windowed-count mode (KafkaSource -> a 1-second tumbling
/// window by event time, the message timestamp, counting per key -> KafkaSink, continuous commits) runs in its own
/// process against librdkafka's mock cluster (in the test process, over TCP), is killed with SIGKILL three times while
/// windows are open and restarted each time (the same consumer group resumes from its committed offsets). The results
/// read back from the output topic, de-duplicated by (key, window start) with the first result winning, equal those of a
/// run that was never killed (another group, another output topic), and both equal a brute-force count.
/// </summary>
/// <remarks>
/// The input has one partition: a window stage keeps one watermark over everything it reads, so with several
/// partitions, one read ahead of another after a restart would make the other's records late in one run and not in
/// another. A last record an hour ahead of the rest closes every window (a Kafka source does not end).
/// </remarks>
[Collection(WindowCrashCollection.Name)]
public sealed class KafkaWindowCrashTests(ITestOutputHelper output)
{
    private const int Records = 100_000;
    private const int Kills = 3;
    private const int PaceEvery = 8; // the harness sleeps 1 ms every 8 records: a kill lands while the input is read
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    [Fact]
    public Task WindowedCount_KilledThreeTimesMidWindowAndRestarted_EqualsTheRunNeverKilled() => RunAsync(checkpointState: false);

    /// <summary>
    /// The window's state checkpointed (in a file checkpoint store of its own: Kafka keeps the offsets) before each offset
    /// commit: after three kills the last result per window equals the uninterrupted run's and the reference.
    /// </summary>
    [Fact]
    public Task WindowedCountWithCheckpointedState_KilledThreeTimesMidWindowAndRestarted_LastResultPerWindowEqualsTheReference() =>
        RunAsync(checkpointState: true);

    private async Task RunAsync(bool checkpointState)
    {
        var states = Directory.CreateTempSubdirectory("dw-window-kafka-state-").FullName;
        try
        {
            await RunAsync(checkpointState ? states : null);
        }
        finally
        {
            Directory.Delete(states, recursive: true);
        }
    }

    private async Task RunAsync(string? states)
    {
        var events = WindowedInput.Create(Records, seed: 41);
        var reference = WindowedInput.Reference(events);
        await using var cluster = MockKafkaCluster.Start(brokers: 3);
        var suffix = Guid.NewGuid().ToString("N");
        var (input, cleanOutput, crashOutput) = ("window-in-" + suffix, "window-clean-" + suffix, "window-crash-" + suffix);
        cluster.CreateTopic(input, partitions: 1, replicationFactor: 3);
        cluster.CreateTopic(cleanOutput, partitions: 1, replicationFactor: 3);
        cluster.CreateTopic(crashOutput, partitions: 1, replicationFactor: 3);
        Produce(cluster.BootstrapServers, input, events);

        // The run never killed.
        using var cleanReader = new OutputReader(cluster.BootstrapServers, cleanOutput);
        using (var run = Start(cluster.BootstrapServers, input, cleanOutput, "clean-" + suffix, pace: 0, states is null ? null : Path.Combine(states, "clean")))
        {
            await WindowedInput.WaitUntilAsync(() => cleanReader.Count(r => r.First.Count) >= reference.Count || run.HasExited, Guard, () => $"{reference.Count} windows:\n{run.Output}");
            Assert.True(await run.StopAsync(Guard) == 0, $"the uninterrupted run failed:\n{run.Output}");
        }

        var uninterrupted = cleanReader.Snapshot();
        Assert.Equal(uninterrupted.First.Count, uninterrupted.Results); // never killed: each window once

        // Killed three times mid-window, restarted each time, then run until every window is out.
        using var crashReader = new OutputReader(cluster.BootstrapServers, crashOutput);
        var group = "crash-" + suffix;
        var random = new Random(7);
        var runs = 0;
        for (var kills = 0; kills < Kills; kills++)
        {
            var before = crashReader.Count(r => r.Results);
            var target = before + 1 + (int)(random.NextDouble() * reference.Count / (Kills + 2));
            runs++;
            using var run = Start(cluster.BootstrapServers, input, crashOutput, group, PaceEvery, states is null ? null : Path.Combine(states, "crash"));
            await WindowedInput.WaitUntilAsync(() => crashReader.Count(r => r.Results) >= target || run.HasExited, Guard, () => $"{target} results (run {runs}):\n{run.Output}");
            Assert.False(run.HasExited, $"run {runs} ended:\n{run.Output}");
            Assert.True(crashReader.Count(r => r.First.Count) < reference.Count, $"run {runs} emitted every window before kill {kills + 1}");
            await run.KillAsync(); // SIGKILL: windows are open (the input is still being read), some results written
            output.WriteLine($"run {runs}: killed after {crashReader.Count(r => r.Results)} results ({crashReader.Count(r => r.First.Count)} of {reference.Count} windows)");
        }

        using (var last = Start(cluster.BootstrapServers, input, crashOutput, group, pace: 0, states is null ? null : Path.Combine(states, "crash")))
        {
            await WindowedInput.WaitUntilAsync(() => crashReader.Count(r => r.First.Count) >= reference.Count || last.HasExited, Guard, () => $"{reference.Count} windows:\n{last.Output}");
            Assert.True(await last.StopAsync(Guard) == 0, $"the final run failed:\n{last.Output}");
        }

        var restarted = crashReader.Snapshot();
        if (states is null)
        {
            WindowResults.AssertSame(output, Records, reference, uninterrupted, restarted, Kills, runs + 1);
        }
        else
        {
            WindowResults.AssertLastWins(output, Records, reference, uninterrupted, restarted, Kills, runs + 1);
        }
    }

    private static ChildProcess Start(string bootstrap, string input, string outputTopic, string group, int pace, string? stateDirectory) =>
        ChildProcess.Start(
            "DataWeaver.Kafka.Harness.dll",
            [
                "windowed-count", bootstrap, input, outputTopic, group,
                WindowedInput.WindowMs.ToString(CultureInfo.InvariantCulture),
                WindowedInput.OutOfOrdernessMs.ToString(CultureInfo.InvariantCulture),
                pace.ToString(CultureInfo.InvariantCulture),
                .. stateDirectory is null ? Array.Empty<string>() : [stateDirectory],
            ]);

    /// <summary>Produces the events in order, each with its event time as the message timestamp, then one an hour later.</summary>
    private static void Produce(string bootstrap, string topic, WindowedInput.Event[] events)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build();
        var failed = 0;
        void Report(DeliveryReport<byte[], byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        }

        foreach (var e in events)
        {
            Send(Message(e.Key, e.Id, e.AtMs));
        }

        Send(Message("~closer", 0, events[^1].AtMs + 3_600_000));
        producer.Flush(TimeSpan.FromMinutes(1));
        Assert.Equal(0, Volatile.Read(ref failed));

        // librdkafka's local queue fills when the mock cluster is slower than the loop: wait for deliveries and retry.
        void Send(Message<byte[], byte[]> message)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, Report);
                    return;
                }
                catch (ProduceException<byte[], byte[]> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(100));
                }
            }
        }

        static Message<byte[], byte[]> Message(string key, int id, long atMs) => new()
        {
            Key = Encoding.UTF8.GetBytes(key),
            Value = BitConverter.GetBytes(id),
            Timestamp = new Timestamp(atMs, TimestampType.CreateTime),
        };
    }

    /// <summary>Reads an output topic from its start on a thread of its own, in the order written.</summary>
    private sealed class OutputReader : IDisposable
    {
        private readonly WindowResults results = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Thread thread;

        public OutputReader(string bootstrap, string topic)
        {
            thread = new Thread(() =>
            {
                using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
                {
                    BootstrapServers = bootstrap,
                    GroupId = "reader-" + Guid.NewGuid().ToString("N"),
                    EnableAutoCommit = false,
                }).Build();
                consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
                while (!stop.IsCancellationRequested)
                {
                    var message = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (message is null || message.IsPartitionEOF)
                    {
                        continue;
                    }

                    var key = Encoding.UTF8.GetString(message.Message.Key);
                    var at = key.LastIndexOf('@');
                    var count = long.Parse(Encoding.UTF8.GetString(message.Message.Value), CultureInfo.InvariantCulture);
                    lock (results)
                    {
                        results.Add(key[..at], long.Parse(key[(at + 1)..], CultureInfo.InvariantCulture), count);
                    }
                }

                consumer.Close();
            })
            { IsBackground = true, Name = "output reader " + topic };
            thread.Start();
        }

        public int Count(Func<WindowResults, int> what)
        {
            lock (results)
            {
                return what(results);
            }
        }

        /// <summary>Stops reading and returns what was read.</summary>
        public WindowResults Snapshot()
        {
            stop.Cancel();
            thread.Join();
            return results;
        }

        public void Dispose()
        {
            stop.Cancel();
            thread.Join();
            stop.Dispose();
        }
    }
}
