using Confluent.Kafka;

namespace DataWeaver.Perf.Workloads.W6Kafka;

/// <summary>W6's records and map, shared by both peers.</summary>
internal static class KafkaRecords
{
    public const int ValueBytes = 100;
    public const int Partitions = 8;

    /// <summary>The share of the records consumed before the clock starts (group join, first fetches, producer start-up).</summary>
    public const double Skipped = 0.1;

    /// <summary>The record whose consumption starts the clock.</summary>
    public static long ClockStart(long records) => (long)(records * Skipped);

    /// <summary>Scales the time of the timed span (the records after <see cref="ClockStart"/>) to all the records.</summary>
    public static TimeSpan PerAllRecords(TimeSpan timed, long records) => timed * (records / (double)(records - ClockStart(records)));

    /// <summary>The map: the value with its ASCII letters in upper case, in a new array (what the producer takes).</summary>
    public static byte[] Map(ReadOnlySpan<byte> value)
    {
        var mapped = value.ToArray();
        for (var i = 0; i < mapped.Length; i++)
        {
            if (mapped[i] is >= (byte)'a' and <= (byte)'z')
            {
                mapped[i] -= 32;
            }
        }

        return mapped;
    }

    /// <summary>The producer settings of both peers: what DataWeaver's KafkaSink sets (idempotent, acks=all, murmur2, linger 5 ms).</summary>
    public static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        EnableIdempotence = true,
        Acks = Acks.All,
        Partitioner = Partitioner.Murmur2Random,
        LingerMs = 5,
        BatchNumMessages = 10_000,
    };

    /// <summary>Fills the input topic before timing: keyed records of <see cref="ValueBytes"/> lower-case letters and digits.</summary>
    public static void Prefill(string bootstrap, string topic, long records)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig(bootstrap)).Build();
        var random = new Random(6);
        for (long n = 0; n < records; n++)
        {
            var value = new byte[ValueBytes];
            for (var i = 0; i < value.Length; i++)
            {
                value[i] = (byte)"abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)];
            }

            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[], byte[]> { Key = BitConverter.GetBytes(n), Value = value });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromSeconds(60)) != 0)
        {
            throw new InvalidOperationException("The W6 input was not fully produced within 60 s.");
        }
    }
}
