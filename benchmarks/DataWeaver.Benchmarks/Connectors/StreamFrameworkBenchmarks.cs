using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;

namespace DataWeaver.Benchmarks.Connectors;

/// <summary>
/// 50,000 messages of 100 bytes from a producer task to a consumer task. Baseline: a bounded
/// <see cref="Channel{T}"/> of 65,536 messages, one <c>WriteAsync</c> per message, <c>WaitToReadAsync</c>/<c>TryRead</c>.
/// Against it: DataWeaver's in-process stream framework, <c>ProduceMessagesAsync</c> in batches of 1,000 and a
/// consumer-group member reading with <c>WaitToConsumeAsync</c>/<c>TryConsume</c>, committing every 1,000 messages
/// (which lets the partition drop them). One partition, one long-lived consumer. Per message.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class StreamFrameworkBenchmarks
{
    public const int MessageCount = 50_000;
    private const int BatchSize = 1_000;
    private const string Topic = "bench";

    private readonly OutgoingMessage[] _messages = new OutgoingMessage[MessageCount];
    private InProcessStreamFramework _framework = null!;
    private IStreamConsumer _consumer = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var value = new byte[100];
        for (var i = 0; i < _messages.Length; i++)
        {
            _messages[i] = new OutgoingMessage(BitConverter.GetBytes(i), value);
        }

        _framework = new InProcessStreamFramework();
        await _framework.StartAsync();
        await _framework.CreateStreamAsync(Topic, partitions: 1);
        _consumer = await _framework.ConsumeStreamAsync(Topic, new StreamConsumerOptions { GroupId = "bench" });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _consumer.DisposeAsync();
        await _framework.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    public async Task<long> BoundedChannel()
    {
        var channel = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(65_536) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            foreach (var message in _messages)
            {
                await channel.Writer.WriteAsync(message);
            }

            channel.Writer.Complete();
        });

        long bytes = 0;
        while (await channel.Reader.WaitToReadAsync())
        {
            while (channel.Reader.TryRead(out var message))
            {
                bytes += message.Value.Length;
            }
        }

        await producer;
        return Check(bytes);
    }

    [Benchmark(OperationsPerInvoke = MessageCount)]
    public async Task<long> InProcessStreamFramework()
    {
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < _messages.Length; i += BatchSize)
            {
                await _framework.ProduceMessagesAsync(Topic, _messages.AsMemory(i, BatchSize));
            }
        });

        long bytes = 0;
        var consumed = 0;
        while (consumed < MessageCount && await _consumer.WaitToConsumeAsync())
        {
            while (consumed < MessageCount && _consumer.TryConsume(out var message))
            {
                bytes += message.Value.Length;
                if (++consumed % BatchSize == 0)
                {
                    await _consumer.CommitAsync([message.ResumePosition]);
                }
            }
        }

        await producer;
        return Check(bytes);
    }

    private static long Check(long bytes) =>
        bytes == MessageCount * 100L ? bytes : throw new InvalidOperationException($"Consumed {bytes} bytes, expected {MessageCount * 100L}.");
}
