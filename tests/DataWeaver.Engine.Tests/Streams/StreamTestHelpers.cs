using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;

namespace DataWeaver.Tests.Streams;

internal static class StreamTestHelpers
{
    public static async Task<InProcessStreamFramework> StartAsync(InProcessStreamOptions? options = null)
    {
        var framework = new InProcessStreamFramework(options);
        await framework.StartAsync();
        return framework;
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Takes exactly <paramref name="count"/> messages, waiting (without polling) for each.</summary>
    public static async Task<List<StreamMessage>> TakeAsync(IStreamConsumer consumer, int count, CancellationToken cancellationToken = default)
    {
        List<StreamMessage> taken = [];
        while (taken.Count < count)
        {
            if (consumer.TryConsume(out var message))
            {
                taken.Add(message);
            }
            else if (!await consumer.WaitToConsumeAsync(cancellationToken))
            {
                break;
            }
        }

        return taken;
    }

    /// <summary>Takes every message ready now, without waiting.</summary>
    public static List<StreamMessage> Drain(IStreamConsumer consumer)
    {
        List<StreamMessage> taken = [];
        while (consumer.TryConsume(out var message))
        {
            taken.Add(message);
        }

        return taken;
    }
}

/// <summary>Keeps copies of what it writes and completes <see cref="Reached"/> once it holds the target count.</summary>
internal sealed class CountingSink(int target) : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly List<(SourcePosition Position, string Value)> _records = [];
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public List<(SourcePosition Position, string Value)> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        lock (_records)
        {
            foreach (var record in batch.Span)
            {
                _records.Add((record.Position, StreamTestHelpers.Text(record.Value)));
            }

            if (_records.Count >= target)
            {
                _reached.TrySetResult();
            }
        }

        return default;
    }
}
