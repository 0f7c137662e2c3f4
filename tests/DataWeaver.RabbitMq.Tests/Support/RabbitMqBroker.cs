using System.Diagnostics;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace DataWeaver.RabbitMq.Tests.Support;

/// <summary>The test broker (eng/services/rabbitmq.sh: 127.0.0.1:5672, guest/guest): queues, publishing and reading back with a plain client.</summary>
internal static class RabbitMqBroker
{
    public static RabbitMqConnectionOptions Connection(string? clientName = null) => new()
    {
        HostName = "127.0.0.1",
        ClientName = clientName,
        OperationTimeout = TimeSpan.FromSeconds(10),
        ReconnectDelay = TimeSpan.FromMilliseconds(200),
    };

    public static byte[] Json(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}"));

    public static long Id(ReadOnlySpan<byte> json)
    {
        var digits = json["{\"id\":".Length..];
        return long.Parse(digits[..digits.IndexOf((byte)'}')], CultureInfo.InvariantCulture);
    }

    public static async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { HostName = "127.0.0.1" }.CreateConnectionAsync();

    public static async Task CreateQueueAsync(string queue, string? exchange = null)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueuePurgeAsync(queue);
        if (exchange is not null)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: true);
            await channel.QueueBindAsync(queue, exchange, queue);
        }
    }

    public static async Task BindAsync(string queue, string exchange, bool bind)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        if (bind)
        {
            await channel.QueueBindAsync(queue, exchange, queue);
        }
        else
        {
            await channel.QueueUnbindAsync(queue, exchange, queue);
        }
    }

    public static async Task PublishAsync(string queue, IEnumerable<byte[]> bodies)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true, outstandingPublisherConfirmationsRateLimiter: null));
        var pending = bodies.Select(body => channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, body).AsTask()).ToList();
        await Task.WhenAll(pending);
    }

    /// <summary>Every message in the queue, in queue order, left in the queue (read without acknowledging, requeued on close).</summary>
    public static async Task<List<byte[]>> ReadAllAsync(string queue, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var bodies = new List<byte[]>();
        while (await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } message)
        {
            bodies.Add(message.Body.ToArray());
        }

        await channel.CloseAsync(cancellationToken);
        return bodies;
    }

    public static async Task<uint> ReadyAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>
    /// Restarts the broker application (<c>rabbitmqctl stop_app</c>, <c>start_app</c>): every connection is closed, the listener
    /// goes away, and the durable queues are recovered from disk. Only for tests in <see cref="BrokerRestartCollection"/>: the
    /// other tests of the project share the broker.
    /// </summary>
    public static async Task RestartAsync(TimeSpan down)
    {
        await RabbitMqCtlAsync("stop_app");
        await Task.Delay(down);
        await RabbitMqCtlAsync("start_app");
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    private static async Task RabbitMqCtlAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", ["-q", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"rabbitmqctl {command} failed ({process.ExitCode}): {await output} {await error}");
    }
}

/// <summary>Tests that restart the shared broker: run alone, after every other test of the project (no parallel test sees the broker go away).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerRestartCollection
{
    public const string Name = "RabbitMQ broker restarts";
}
