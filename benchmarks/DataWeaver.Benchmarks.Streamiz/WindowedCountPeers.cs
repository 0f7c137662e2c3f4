using System.Globalization;
using System.Text;
using Confluent.Kafka;
using DataWeaver.Kafka;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Windowing;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Table;
using StreamizTumbling = Streamiz.Kafka.Net.Stream.TumblingWindowOptions;

namespace DataWeaver.Benchmarks.Streamiz;

/// <summary>
/// The two peers, doing the same: read the input topic in a consumer group, count records per key (UTF-8 text) in
/// 1-second tumbling windows of event time (the message timestamp) with 1 s of out-of-orderness (Streamiz: a 1 s grace
/// period), emit one final result per key and window when it closes (Streamiz: <c>Suppress(UntilWindowClose)</c>), and
/// write it as key "KEY@START-UNIX-MS", value the count as text. Commits every 5 s (DataWeaver's default; Streamiz's
/// CommitIntervalMs set to match). Streamiz keeps its window store and suppression buffer in memory without changelog
/// topics: DataWeaver keeps no changelog either (a restart re-reads the open windows' records).
/// </summary>
internal static class WindowedCountPeers
{
    public static readonly TimeSpan Size = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan OutOfOrderness = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets Streamiz's MaxPollRecords (records per poll of its stream thread; Streamiz's default 500).</summary>
    public static long MaxPollRecords { get; set; } = 500;

    /// <summary>Starts DataWeaver's pipeline: KafkaSource -> TumblingWindowByEventTime -> Map -> KafkaSink.</summary>
    /// <returns>Something to dispose to stop it.</returns>
    public static async Task<IAsyncDisposable> StartDataWeaverAsync(string bootstrap, string input, string output, string group)
    {
        var options = new KafkaStreamOptions { BootstrapServers = bootstrap, ClientId = group };
        var kafka = new KafkaStreamFramework(options);
        await kafka.StartAsync();
        var pipeline = Pipeline.From(new KafkaSource(kafka, input, new StreamConsumerOptions { GroupId = group }), new PipelineOptions { Name = group })
            .TumblingWindowByEventTime(
                static r => r.Timestamp,
                static r => Encoding.UTF8.GetString(r.Key.Span),
                static _ => 1,
                new TumblingWindowOptions { Size = Size, MaxOutOfOrderness = OutOfOrderness })
            .Map(static w => new Record<ReadOnlyMemory<byte>>(
                Encoding.UTF8.GetBytes(w.Key + "@" + w.Start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
                Encoding.UTF8.GetBytes(w.Count.ToString(CultureInfo.InvariantCulture)),
                null,
                w.End,
                default))
            .To(new KafkaSink(options, output))
            .Build();
        return new Running(pipeline.Start(), kafka);
    }

    /// <summary>Starts Streamiz's topology: Stream -> GroupByKey -> WindowedBy -> Count -> Suppress -> ToStream -> Map -> To.</summary>
    /// <returns>Something to dispose to stop it.</returns>
    public static async Task<IAsyncDisposable> StartStreamizAsync(string bootstrap, string input, string output, string group)
    {
        var config = new StreamConfig<StringSerDes, ByteArraySerDes>
        {
            ApplicationId = group,
            BootstrapServers = bootstrap,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            CommitIntervalMs = 5_000,
            Guarantee = ProcessingGuarantee.AT_LEAST_ONCE,
            NumStreamThreads = 1,
            MaxPollRecords = MaxPollRecords,
            Logger = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole()),
        };
        var builder = new StreamBuilder();
        builder.Stream<string, byte[]>(input)
            .GroupByKey()
            .WindowedBy(StreamizTumbling.Of(Size, OutOfOrderness))
            .Count(InMemoryWindows.As<string, long, StringSerDes, Int64SerDes>("counts").WithLoggingDisabled())
            .Suppress(SuppressedBuilder.UntilWindowClose<Windowed<string>, long>(OutOfOrderness, StrictBufferConfig.Unbounded().WithLoggingDisabled())
                .WithKeySerdes(new TimeWindowedSerDes<string>(new StringSerDes(), (long)Size.TotalMilliseconds))
                .WithValueSerdes(new Int64SerDes()))
            .ToStream()
            .Map((key, count, _) => KeyValuePair.Create(key.Key + "@" + key.Window.StartMs.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture)))
            .To<StringSerDes, StringSerDes>(output);
        var stream = new KafkaStream(builder.Build(), config);
        await stream.StartAsync();
        return new StreamizRunning(stream);
    }

    private sealed class Running(PipelineRun run, KafkaStreamFramework kafka) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await run.StopAsync();
            await kafka.DisposeAsync();
        }
    }

    private sealed class StreamizRunning(KafkaStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            stream.Dispose();
            return default;
        }
    }
}
