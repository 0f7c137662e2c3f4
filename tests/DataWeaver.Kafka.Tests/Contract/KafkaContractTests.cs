using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;

namespace DataWeaver.Kafka.Tests.Contract;

/// <summary>The Kafka source over the mock cluster against the source contract: one partition, resumes from its group's committed offsets.</summary>
public sealed class KafkaSourceContractTests(Xunit.Abstractions.ITestOutputHelper log) : SourceContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private readonly KafkaContractCluster _kafka = new();

    public Task InitializeAsync() => _kafka.StartAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync().AsTask();

    protected override async ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context)
    {
        var framework = await _kafka.FrameworkAsync(context);
        if (context.Run == 0)
        {
            await _kafka.CreateTopicAsync(context.UniqueName);
            var messages = Enumerable.Range(0, context.RecordCount).Select(i => new OutgoingMessage(ReadOnlyMemory<byte>.Empty, KafkaContractCluster.Json(i))).ToArray();
            await framework.ProduceMessagesAsync(context.UniqueName, messages);
        }

        return new KafkaSource(framework, context.UniqueName, new StreamConsumerOptions { GroupId = context.UniqueName });
    }

    /// <summary>The scale-out harness (tests/DataWeaver.Kafka.Harness: KafkaSource -> map -> KafkaSink) is the process killed.</summary>
    /// <remarks>
    /// The harness pauses 1 ms after every record (about 5 s for the whole input, more under load). Each kill's target is
    /// at least one record past the output of the run before, so a run that got through the whole input and committed it
    /// before its kill landed leaves the next run nothing to reach: with a pause every 10 records (0.5 s for the input) a
    /// loaded machine once missed the first run's target by a whole pass, and the second run waited out the 2-minute guard
    /// with its one partition assigned and nothing left to read.
    /// </remarks>
    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        const int Records = 5_000;
        const int MaxInFlight = 256;
        const int PauseEvery = 1;
        var (input, output) = (context.UniqueName + "-in", context.UniqueName + "-out");
        var framework = await _kafka.FrameworkAsync(context);
        await _kafka.CreateTopicAsync(input);
        await _kafka.CreateTopicAsync(output);
        var watch = Stopwatch.StartNew();
        long lastCount = -1;
        await framework.ProduceMessagesAsync(input, Enumerable.Range(0, Records).Select(i => new OutgoingMessage(ReadOnlyMemory<byte>.Empty, KafkaContractCluster.Json(i))).ToArray());
        return new ProcessCrashScenario(
            Records,
            run => new ProcessStartInfo("dotnet", [
                Path.Combine(AppContext.BaseDirectory, "DataWeaver.Kafka.Harness.dll"), _kafka.Cluster.BootstrapServers, input, output,
                context.UniqueName, $"{MaxInFlight}", $"{PauseEvery}"]),
            async cancellationToken => [.. (await StreamReadBack.ReadAllAsync(framework, output, cancellationToken)).Select(r => KafkaContractCluster.Id(r.Value.Span))],
            async cancellationToken =>
            {
                // Every count the scenario sees, with the time: a failed run shows where each run's output stood.
                var count = (await framework.GetWatermarksAsync(output, cancellationToken)).Sum(w => w.High - w.Low);
                if (count != Interlocked.Exchange(ref lastCount, count))
                {
                    log.WriteLine($"{watch.Elapsed.TotalSeconds:F1} s: output {count}");
                }

                return count;
            },
            new ProcessCrashOptions { Kills = 2, MaxDuplicatesPerKill = MaxInFlight, StopLastRunWhenComplete = true, PollInterval = TimeSpan.FromMilliseconds(100) });
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => KafkaContractCluster.Id(record.Value.Span);
}

/// <summary>The Kafka sink over the mock cluster against the sink contract: read back as a new group; broken by produce errors.</summary>
public sealed class KafkaSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>, IAsyncLifetime
{
    private readonly KafkaContractCluster _kafka = new();

    public Task InitializeAsync() => _kafka.StartAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync().AsTask();

    protected override async ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        await _kafka.CreateTopicAsync(context.UniqueName);
        return new KafkaSink(_kafka.Options(context), context.UniqueName);
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, KafkaContractCluster.Json(sequence), null, default, default);

    protected override async ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        await StreamReadBack.ReadAllAsync(await _kafka.FrameworkAsync(context), context.UniqueName, cancellationToken);

    protected override ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        // The brokers refuse every produce request (not retriable) until repaired.
        _kafka.Cluster.PushRequestErrors(KafkaApiKey.Produce, [.. Enumerable.Repeat(ErrorCode.TopicAuthorizationFailed, 1000)]);
        return new(new Repair(() => _kafka.Cluster.ClearRequestErrors(KafkaApiKey.Produce)));
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => KafkaContractCluster.Id(record.Value.Span);

    private sealed class Repair(Action repair) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            repair();
            return default;
        }
    }
}

/// <summary>One mock cluster per test, a framework on it whose client id carries the test's canary secret (declared secret), logging to the test's context.</summary>
internal sealed class KafkaContractCluster : IAsyncDisposable
{
    private readonly HashSet<string> _topics = [];
    private KafkaStreamFramework? _framework;

    public MockKafkaCluster Cluster { get; private set; } = null!;

    public static byte[] Json(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}"));

    /// <summary>Reads N from <c>{"id":N}</c>, also when the harness appended its mark (<c>{"id":N}m</c>).</summary>
    public static long Id(ReadOnlySpan<byte> json)
    {
        var digits = json["{\"id\":".Length..];
        return long.Parse(digits[..digits.IndexOf((byte)'}')], CultureInfo.InvariantCulture);
    }

    public Task StartAsync()
    {
        Cluster = MockKafkaCluster.Start(brokers: 1);
        return Task.CompletedTask;
    }

    public Task CreateTopicAsync(string topic)
    {
        if (_topics.Add(topic))
        {
            Cluster.CreateTopic(topic, partitions: 1);
        }

        return Task.CompletedTask;
    }

    /// <summary>librdkafka prints the client id in its log lines: the canary, declared secret, must be scrubbed from every one.</summary>
    public KafkaStreamOptions Options(ContractContext context) => new()
    {
        BootstrapServers = Cluster.BootstrapServers,
        ClientId = "contract-" + context.Secret,
        SecretValues = [context.Secret],
        LogHandler = line => context.Log(line.ToString()),
        OperationTimeout = TimeSpan.FromSeconds(10),
        Settings = new Dictionary<string, string> { ["message.timeout.ms"] = "5000" },
        ConsumerSettings = new Dictionary<string, string> { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
    };

    public async Task<KafkaStreamFramework> FrameworkAsync(ContractContext context)
    {
        if (_framework is null)
        {
            _framework = new KafkaStreamFramework(Options(context));
            await _framework.StartAsync();
        }

        return _framework;
    }

    public async ValueTask DisposeAsync()
    {
        if (_framework is not null)
        {
            await _framework.DisposeAsync();
        }

        await Cluster.DisposeAsync();
    }
}
