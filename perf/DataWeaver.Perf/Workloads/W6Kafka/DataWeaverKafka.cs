using System.Diagnostics;
using DataWeaver.Kafka;
using DataWeaver.Pipelines;
using DataWeaver.Streams;

namespace DataWeaver.Perf.Workloads.W6Kafka;

/// <summary>
/// W6's DataWeaver side, with the public Kafka API: <see cref="KafkaSource"/> (over <see cref="KafkaStreamFramework"/>) -> Map
/// -> <see cref="KafkaSink"/>, default pipeline options. Timed from the moment the map sees the record at the 10 % mark
/// (<see cref="KafkaRecords.ClockStart"/>) to the moment every record is acknowledged (its delivery report arrived: the
/// source's watermarks add up to the record count; polled every millisecond once the clock runs, every 25 ms before),
/// scaled to all records. The drain and
/// commit after that are not timed.
/// </summary>
internal static class DataWeaverKafka
{
    public static async Task<TimeSpan> RunAsync(KafkaStreamFramework framework, string input, string output, string group, long records)
    {
        long started = 0;
        long mapped = 0;
        var clockStart = KafkaRecords.ClockStart(records);
        var pipeline = Pipeline.From(new KafkaSource(framework, input, new StreamConsumerOptions { GroupId = group }))
            .Map(record =>
            {
                if (mapped++ == clockStart)
                {
                    Volatile.Write(ref started, Stopwatch.GetTimestamp()); // one fused block, one worker: a plain counter
                }

                return record.WithValue<ReadOnlyMemory<byte>>(KafkaRecords.Map(record.Value.Span));
            })
            .To(new KafkaSink(framework.Options, output))
            .Build();

        var run = pipeline.Start();
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        while (Acknowledged(run) < records)
        {
            if (run.Completion.IsCompleted || Stopwatch.GetTimestamp() > deadline)
            {
                await run.Completion; // throws the failure
                throw new InvalidOperationException($"The W6 pipeline stopped after {Acknowledged(run)} of {records} records.");
            }

            // Every millisecond once the clock runs (the end is read to 1 ms, as the raw loop's last report is); before, while the
            // group joins (3 s), every 25 ms: a 1 ms timer for the whole run cost the DataWeaver side ~3,000 wake-ups of CPU.
            await Task.Delay(Volatile.Read(ref started) == 0 ? 25 : 1);
        }

        var elapsed = Stopwatch.GetElapsedTime(Volatile.Read(ref started));
        await run.StopAsync();
        return KafkaRecords.PerAllRecords(elapsed, records);
    }

    private static long Acknowledged(PipelineRun run)
    {
        long total = 0;
        foreach (var position in run.AcknowledgedPositions)
        {
            total += position.Offset;
        }

        return total;
    }
}
