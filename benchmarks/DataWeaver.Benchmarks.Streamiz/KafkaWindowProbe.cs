using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace DataWeaver.Benchmarks.Streamiz;

/// <summary>
/// Interleaved rounds of the windowed count from Kafka to Kafka (<see cref="WindowedCountPeers"/>): per round each peer
/// reads the same input topic in a group of its own and writes to an output topic of its own; the time runs from the
/// peer's start (clients, group join, first fetch included) until a reader in this process saw every result. Reported:
/// wall time and this process's CPU time (the peer, its librdkafka threads and the reader; the brokers run in a child
/// process), per round and as medians, and the results checked against a brute-force count.
/// </summary>
/// <remarks>
/// The input: one partition (DataWeaver's window stage keeps one watermark), 100 keys, 10,000 records per second of event
/// time, each up to 50 ms late of its slot, then one record an hour later that closes every window. librdkafka's mock
/// keeps at most 5 MiB per partition (it drops the oldest message sets past that), so an input stays under 300,000
/// records; the probe checks that the topic still starts at offset 0.
/// </remarks>
internal static class KafkaWindowProbe
{
    private const int Keys = 100;

    public static async Task<int> RunAsync(int rounds, int records)
    {
        using var cluster = MockClusterProcess.Start();
        var input = "window-in";
        cluster.CreateTopic(input);
        var reference = Produce(cluster.BootstrapServers, input, records);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"input: {records:N0} records, {reference.Count:N0} results (key x 1-second window); mock cluster in pid-separate process at {cluster.BootstrapServers}"));
        List<(string Peer, double Wall, double Cpu)> all = [];
        for (var round = 1; round <= rounds; round++)
        {
            string[] order = round % 2 == 1 ? ["DataWeaver", "Streamiz"] : ["Streamiz", "DataWeaver"];
            foreach (var peer in order)
            {
                var output = $"window-out-{peer}-{round}";
                cluster.CreateTopic(output);
                var (wall, cpu, ok) = await MeasureAsync(peer, cluster.BootstrapServers, input, output, $"{peer}-{round}-{Guid.NewGuid():N}", reference);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round} {peer,-10} wall {wall,8:F0} ms  cpu {cpu,8:F0} ms  results {(ok ? "equal the reference" : "DIFFER")}"));
                if (!ok)
                {
                    return 1;
                }

                all.Add((peer, wall, cpu));
            }
        }

        var dw = Median(all, "DataWeaver");
        var sz = Median(all, "Streamiz");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median of {rounds}: DataWeaver wall {dw.Wall:F0} ms cpu {dw.Cpu:F0} ms; Streamiz wall {sz.Wall:F0} ms cpu {sz.Cpu:F0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"DataWeaver vs Streamiz: wall {sz.Wall / dw.Wall:F2}x, cpu {sz.Cpu / dw.Cpu:F2}x; per round cpu ratios {string.Join(", ", all.Chunk(2).Select(p => (p.Single(x => x.Peer == "Streamiz").Cpu / p.Single(x => x.Peer == "DataWeaver").Cpu).ToString("F2", CultureInfo.InvariantCulture)))}"));
        return 0;
    }

    private static (double Wall, double Cpu) Median(List<(string Peer, double Wall, double Cpu)> all, string peer)
    {
        var rows = all.Where(r => r.Peer == peer).ToList();
        return (rows.Select(r => r.Wall).Order().ElementAt(rows.Count / 2), rows.Select(r => r.Cpu).Order().ElementAt(rows.Count / 2));
    }

    private static async Task<(double Wall, double Cpu, bool Ok)> MeasureAsync(
        string peer, string bootstrap, string input, string output, string group, Dictionary<string, long> reference)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var results = new Dictionary<string, long>();
        var reading = Task.Factory.StartNew(() => Read(bootstrap, output, reference.Count, results), TaskCreationOptions.LongRunning);
        var running = peer == "DataWeaver"
            ? await WindowedCountPeers.StartDataWeaverAsync(bootstrap, input, output, group)
            : await WindowedCountPeers.StartStreamizAsync(bootstrap, input, output, group);
        var complete = await reading;
        var elapsed = wall.Elapsed.TotalMilliseconds;
        process.Refresh();
        var used = (process.TotalProcessorTime - cpu).TotalMilliseconds;
        await running.DisposeAsync();
        return (elapsed, used, complete && results.Count == reference.Count && results.All(r => reference.TryGetValue(r.Key, out var c) && c == r.Value));
    }

    /// <summary>Reads the output topic until it holds <paramref name="expected"/> results (a 5-minute hang guard).</summary>
    private static bool Read(string bootstrap, string topic, int expected, Dictionary<string, long> results)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + topic,
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var guard = Stopwatch.StartNew();
        while (results.Count < expected)
        {
            if (guard.Elapsed > TimeSpan.FromMinutes(5))
            {
                return false;
            }

            var message = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (message is { IsPartitionEOF: false })
            {
                results[Encoding.UTF8.GetString(message.Message.Key)] = long.Parse(Encoding.UTF8.GetString(message.Message.Value), CultureInfo.InvariantCulture);
            }
        }

        consumer.Close();
        return true;
    }

    /// <summary>Produces the input and returns the count per "KEY@START-UNIX-MS".</summary>
    private static Dictionary<string, long> Produce(string bootstrap, string topic, int records)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var random = new Random(14);
        var reference = new Dictionary<string, long>();
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            LingerMs = 5,
            BatchNumMessages = 10_000,
        }).Build())
        {
            var keys = Enumerable.Range(0, Keys).Select(k => Encoding.UTF8.GetBytes("k" + k.ToString(CultureInfo.InvariantCulture))).ToArray();
            var value = new byte[4];
            for (var i = 0; i < records; i++)
            {
                var key = random.Next(Keys);
                var at = start + (i / 10) + random.Next(50); // 10,000 a second, up to 50 ms late of the slot
                producer.Produce(topic, new Message<byte[], byte[]> { Key = keys[key], Value = value, Timestamp = new Timestamp(at, TimestampType.CreateTime) });
                var result = "k" + key.ToString(CultureInfo.InvariantCulture) + "@" + (at - (at % 1000)).ToString(CultureInfo.InvariantCulture);
                reference[result] = reference.GetValueOrDefault(result) + 1;
            }

            producer.Produce(topic, new Message<byte[], byte[]> { Key = "closer"u8.ToArray(), Value = value, Timestamp = new Timestamp(start + (records / 10) + 3_600_000, TimestampType.CreateTime) });
            if (producer.Flush(TimeSpan.FromMinutes(1)) > 0)
            {
                throw new InvalidOperationException("the input was not delivered");
            }
        }

        using var admin = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "probe-admin" }).Build();
        var offsets = admin.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30));
        if (offsets.Low != 0 || offsets.High != records + 1)
        {
            throw new InvalidOperationException($"the mock kept offsets {offsets.Low}..{offsets.High} of 0..{records + 1}: fewer records, please");
        }

        return reference;
    }
}
