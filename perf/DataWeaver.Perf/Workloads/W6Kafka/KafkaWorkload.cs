using DataWeaver.Kafka;
using DataWeaver.Kafka.Testing;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Workloads.W6Kafka;

/// <summary>
/// W6, Kafka -> map -> Kafka on librdkafka's mock cluster (in process, over TCP on 127.0.0.1): the input topic
/// (8 partitions) is filled before timing and read from the start by a new consumer group in every iteration; each
/// iteration writes to a new output topic. Volumes stay under the mock's per-partition cap (5 MiB / 100,000 message
/// sets), and each group join costs the mock's 3 s initial rebalance delay, which is not timed.
/// </summary>
internal sealed class KafkaWorkload(long records) : Workload
{
    private const string Input = "w6-input";
    private MockKafkaCluster? _cluster;
    private KafkaStreamFramework? _framework;
    private int _runs;

    public override string Name => "W6";

    public override string Title => "Kafka -> map -> Kafka on the mock cluster";

    public override long Records => records;

    /// <summary>
    /// No warm-up in quick mode (every run costs a 3 s group join; the first 10 % of each run is not timed, which
    /// covers the JIT's first pass), three timed iterations; the full run warms up once.
    /// </summary>
    public override RunSettings Adjust(RunSettings settings) =>
        settings == RunSettings.Quick ? settings with { MinWarmups = 0, WarmupTime = TimeSpan.Zero } : settings with { WarmupTime = TimeSpan.Zero };

    public override ValueTask SetupAsync()
    {
        KafkaNativeLibrary.EnsureLoaded();
        _cluster = MockKafkaCluster.Start(brokers: 1);
        _cluster.CreateTopic(Input, KafkaRecords.Partitions);
        KafkaRecords.Prefill(_cluster.BootstrapServers, Input, records);
        return default;
    }

    public override IEnumerable<PeerBench> Peers()
    {
        yield return new PeerBench(PeerNames.RawLoop, async _ =>
            new Iteration(await HandWrittenLoop.RunAsync(_cluster!.BootstrapServers, Input, NewOutput(out var group), group, records)));
        yield return new PeerBench(PeerNames.DataWeaver, async _ =>
            new Iteration(await DataWeaverKafka.RunAsync(await FrameworkAsync(), Input, NewOutput(out var group), group, records)));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_framework is not null)
        {
            await _framework.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>
    /// The framework is started when the DataWeaver peer first runs, not before raw-loop: its admin client's poll
    /// thread keeps a core busy while it is started (docs/perf/README.md, W6).
    /// </summary>
    private async ValueTask<KafkaStreamFramework> FrameworkAsync()
    {
        if (_framework is null)
        {
            _framework = new KafkaStreamFramework(new KafkaStreamOptions { BootstrapServers = _cluster!.BootstrapServers, ClientId = "perf" });
            await _framework.StartAsync();
        }

        return _framework;
    }

    private string NewOutput(out string group)
    {
        var run = Interlocked.Increment(ref _runs);
        group = $"w6-group-{run}";
        var topic = $"w6-output-{run}";
        _cluster!.CreateTopic(topic, KafkaRecords.Partitions);
        return topic;
    }
}
