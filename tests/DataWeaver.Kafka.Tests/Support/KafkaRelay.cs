using System.Diagnostics;
using DataWeaver.Pipelines;
using DataWeaver.Streams;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Support;

/// <summary>
/// A Kafka -> map -> Kafka pipeline under test (KafkaSource -> value + 'm' -> KafkaSink, same partition), with
/// numbered input produced while it runs and a verifier that reads the output: the outcome is counted, not assumed.
/// </summary>
public sealed class KafkaRelay(KafkaTestCluster cluster, ITestOutputHelper output, int partitions = 8)
{
    /// <summary>The input topic.</summary>
    public string Input { get; } = KafkaTestCluster.UniqueTopic("relay-in");

    /// <summary>The output topic.</summary>
    public string Output { get; } = KafkaTestCluster.UniqueTopic("relay-out");

    /// <summary>The framework's options (the sink's producer and the source's consumer); change them before <see cref="RunAsync"/>.</summary>
    public KafkaStreamOptions Options { get; set; } = Framework.KafkaStreamFrameworkTests.Options(cluster);

    /// <summary>When set, the relay runs exactly once with this <c>transactional.id</c> (see <see cref="Transactions"/>).</summary>
    public string? TransactionalId { get; set; }

    /// <summary>The transactions of the last exactly-once run.</summary>
    public KafkaTransactions? Transactions { get; private set; }

    /// <summary>The pipeline options.</summary>
    public PipelineOptions PipelineOptions { get; set; } = new() { CommitInterval = TimeSpan.FromMilliseconds(200) };

    /// <summary>Creates both topics (replication factor 3 on three brokers or more).</summary>
    /// <returns>A task that completes once created.</returns>
    public async Task CreateTopicsAsync()
    {
        var replication = Math.Min(3, cluster.BrokerCount);
        await cluster.CreateTopicAsync(Input, partitions, replication);
        await cluster.CreateTopicAsync(Output, partitions, replication);
    }

    /// <summary>
    /// Produces <paramref name="total"/> numbered records (paced, calling <paramref name="duringProduction"/> after each
    /// chunk of 1,000) while the pipeline runs, or all of them before it starts when <paramref name="afterPrefill"/> is
    /// given (then called just before the start); runs the pipeline until the output holds every number, then drains it.
    /// </summary>
    /// <returns>The verifier's counts and the finished run.</returns>
    public async Task<(SequenceChecker Checker, PipelineRun Run)> RunAsync(long total, Action<long>? duringProduction = null, Action? afterPrefill = null)
    {
        var producer = new SequenceProducer();
        var producing = afterPrefill is null ? null : ProduceAsync(producer, total, duringProduction);
        if (producing is not null)
        {
            await producing;
            afterPrefill!();
        }

        await using var kafka = new KafkaStreamFramework(Options);
        await kafka.StartAsync();
        var group = new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("relay") };
        var keepPartition = new StreamSinkOptions { KeepPartition = true };
        Transactions = TransactionalId is null ? null : new KafkaTransactions(Options, TransactionalId);
        var run = Pipeline.From(Transactions is null ? new KafkaSource(kafka, Input, group) : new KafkaSource(kafka, Input, Transactions, group), PipelineOptions)
            .Map(record => record.WithValue<ReadOnlyMemory<byte>>(Mapped(record.Value)))
            .To(Transactions is null ? new KafkaSink(Options, Output, keepPartition) : new KafkaSink(Transactions, Output, keepPartition))
            .Build()
            .Start();

        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var checker = new SequenceChecker(total);
        var verifier = Task.Run(() =>
        {
            using var consumer = KafkaClients.Consumer(cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("verify")), output);
            consumer.Subscribe(Output);
            // Until every number arrived (duplicates count as read, so reading `total` messages is not enough).
            var reading = Stopwatch.StartNew();
            while (checker.Distinct < total && reading.Elapsed < TimeSpan.FromMinutes(2) && !cancel.IsCancellationRequested)
            {
                checker.ConsumeUpTo(consumer, total - checker.Distinct, TimeSpan.FromMinutes(2) - reading.Elapsed, cancel.Token);
            }

            // Anything beyond the total is a duplicate: give late ones a moment to show.
            checker.ConsumeUpTo(consumer, long.MaxValue, TimeSpan.FromMilliseconds(500), cancel.Token);
            consumer.Close();
        });

        var watch = Stopwatch.StartNew();
        await (producing ?? ProduceAsync(producer, total, duringProduction));
        Assert.Empty(producer.Errors);
        try
        {
            await verifier.WaitAsync(cancel.Token);
            await run.StopAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // What the relay did until the guard ran out: enough to tell a stalled source from a stalled sink or verifier.
            output.WriteLine(
                $"timed out after {watch.Elapsed.TotalSeconds:0.0} s: verified {checker.Distinct:N0} of {total:N0} (duplicated {checker.Duplicates}); " +
                $"run {run.State}, read {run.Statistics.RecordsRead:N0}, written {run.Statistics.RecordsWritten:N0}, commit retries {run.CommitRetries}");
            throw;
        }

        output.WriteLine(
            $"{total:N0} records in {watch.Elapsed.TotalSeconds:0.0} s: lost {checker.Lost}, duplicated {checker.Duplicates}, out of order {checker.OutOfOrder}; " +
            $"written {run.Statistics.RecordsWritten:N0}, commit retries {run.CommitRetries}");
        return (checker, run);
    }

    private Task ProduceAsync(SequenceProducer producer, long total, Action<long>? duringProduction) => Task.Run(() =>
    {
        using var client = KafkaClients.Producer(cluster.ProducerConfig(), output);
        producer.Produce(client, Input, 0, total, keys: 1024, valueBytes: 8, betweenChunks: chunk =>
        {
            duringProduction?.Invoke(chunk);
            Thread.Sleep(5);
        });
    });

    /// <summary>The relays' map: the value with an <c>m</c> appended (the verifier's sequence number stays in front).</summary>
    /// <param name="value">The input value.</param>
    /// <returns>The mapped value.</returns>
    public static ReadOnlyMemory<byte> Mapped(ReadOnlyMemory<byte> value)
    {
        var mapped = new byte[value.Length + 1];
        value.Span.CopyTo(mapped);
        mapped[^1] = (byte)'m';
        return mapped;
    }
}
