using System.Diagnostics;
using Confluent.Kafka;

namespace DataWeaver.Perf.Workloads.W6Kafka;

/// <summary>
/// W6's raw-loop: the consume -> map -> produce loop a developer writes with Confluent.Kafka: a group consumer
/// (auto-commit, as by default), <c>Consume</c> in a loop, <c>Produce</c> with one delivery handler, done when the
/// last delivery report arrived. Timed from the moment the record at the 10 % mark is consumed to that report
/// (<see cref="KafkaRecords.ClockStart"/>), scaled to all records.
/// </summary>
internal static class HandWrittenLoop
{
    public static async Task<TimeSpan> RunAsync(string bootstrap, string input, string output, string group, long records)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(KafkaRecords.ProducerConfig(bootstrap)).Build();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();

        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        long delivered = 0;
        void OnDelivery(DeliveryReport<byte[], byte[]> report)
        {
            if (report.Error.IsError)
            {
                done.TrySetException(new KafkaException(report.Error));
            }
            else if (Interlocked.Increment(ref delivered) == records)
            {
                done.TrySetResult(Stopwatch.GetTimestamp());
            }
        }

        consumer.Subscribe(input);
        long started = 0;
        await Task.Run(() =>
        {
            for (long consumed = 0; consumed < records;)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null)
                {
                    continue;
                }

                if (consumed++ == KafkaRecords.ClockStart(records))
                {
                    started = Stopwatch.GetTimestamp();
                }

                var message = new Message<byte[], byte[]> { Key = result.Message.Key, Value = KafkaRecords.Map(result.Message.Value) };
                while (true)
                {
                    try
                    {
                        producer.Produce(output, message, OnDelivery);
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(1));
                    }
                }
            }
        });

        var finished = await done.Task.WaitAsync(TimeSpan.FromSeconds(120));
        var elapsed = Stopwatch.GetElapsedTime(started, finished);
        consumer.Close();
        return KafkaRecords.PerAllRecords(elapsed, records);
    }
}
