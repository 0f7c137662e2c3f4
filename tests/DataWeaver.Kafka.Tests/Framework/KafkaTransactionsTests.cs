using System.Diagnostics;
using Confluent.Kafka;
using DataWeaver.Errors;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Streams;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>
/// Exactly-once Kafka to Kafka: an aborted transaction and a fenced (zombie) producer, on librdkafka 2.16's mock cluster
/// or a real one (DATAWEAVER_KAFKA_BOOTSTRAP). The mock cannot prove atomicity: it serves open and (here) aborted
/// transactions' records to read_committed readers, discards the offsets sent to a transaction (TxnOffsetCommit answers
/// without storing them) and never fences by itself (a second InitTransactions gets a new producer id instead of a bumped
/// epoch), so the fencing test injects the brokers' answer and the visibility check runs only against a real cluster.
/// </summary>
public sealed class KafkaTransactionsTests(ITestOutputHelper output)
{
    private const int Partitions = 2;

    [MockKafkaFact]
    public async Task ExactlyOnce_StageFailsMidTransaction_ReadCommittedSeesNoneOfTheAbortedRecords()
    {
        const long First = 10_000;
        const long Total = 30_000;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var (input, outputTopic) = await CreateTopicsAsync(cluster);
        Produce(cluster, input, 0, First);
        var options = KafkaStreamFrameworkTests.Options(cluster);
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        var transactions = new KafkaTransactions(options, "abort-" + Guid.NewGuid().ToString("N"));
        var fail = 0;
        var run = Pipeline.From(
                new KafkaSource(kafka, input, transactions, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("abort") }),
                new PipelineOptions { CommitInterval = TimeSpan.FromSeconds(5), BatchSize = 100 })
            .Map(record => Volatile.Read(ref fail) == 1
                ? throw new InvalidOperationException("the stage fails mid-transaction")
                : record.WithValue<ReadOnlyMemory<byte>>(KafkaRelay.Mapped(record.Value)))
            .To(new KafkaSink(transactions, outputTopic, new StreamSinkOptions { KeepPartition = true }))
            .Build()
            .Start();

        // The first records commit in a transaction; the next ones are written into the following one (in the log, not
        // committed yet), until a stage fails: the run fails and the open transaction is aborted.
        await WaitUntilAsync(() => transactions.Committed >= 1, run);
        Produce(cluster, input, First, Total - 1 - First);
        await WaitUntilAsync(() => ReadAll(cluster, outputTopic, IsolationLevel.ReadUncommitted, Total).Distinct == Total - 1, run);
        Assert.Equal(1, transactions.Committed);   // the second transaction is still open
        Volatile.Write(ref fail, 1);
        Produce(cluster, input, Total - 1, 1);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));

        var committed = ReadAll(cluster, outputTopic, IsolationLevel.ReadCommitted, Total);
        var everything = ReadAll(cluster, outputTopic, IsolationLevel.ReadUncommitted, Total);
        output.WriteLine(
            $"{error.GetType().Name}: {error.Message}; transactions committed {transactions.Committed}, aborted {transactions.Aborted}; " +
            $"read_committed sees {committed.Distinct:N0} (duplicated {committed.Duplicates}, out of order {committed.OutOfOrder}), the log holds {everything.Distinct + everything.Duplicates:N0}");
        Assert.Equal(PipelineState.Failed, run.State);
        Assert.Contains("the stage fails mid-transaction", error.Message, StringComparison.Ordinal);
        Assert.True(transactions.Aborted >= 1, "the open transaction was not aborted");
        Assert.Equal(1, transactions.Committed);
        Assert.Equal(0, committed.Duplicates);
        Assert.Equal(0, committed.OutOfOrder);
        if (!cluster.IsMock)
        {
            // A real broker hides the aborted transaction from read_committed readers: only the first transaction's records
            // (at most the prefilled ones) are visible. librdkafka 2.16's mock still serves this aborted transaction's
            // records to read_committed readers (it hides only some aborted ranges), so there the abort is shown, not its effect.
            Assert.InRange(committed.Distinct, 1, First);
        }

        Assert.Equal(Total - 1, everything.Distinct);
    }

    [MockKafkaFact]
    public async Task ExactlyOnce_ProducerFencedAtCommit_StopsFatalNamingTheTransactionalIdAndCommitsNothingMore()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var (input, outputTopic) = await CreateTopicsAsync(cluster);
        Produce(cluster, input, 0, 5_000);
        var options = KafkaStreamFrameworkTests.Options(cluster);
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        var transactionalId = "zombie-" + Guid.NewGuid().ToString("N");
        var zombie = new KafkaTransactions(options, transactionalId);
        var run = Pipeline.From(
                new KafkaSource(kafka, input, zombie, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("zombie") }),
                new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(100) })
            .Map(record => record.WithValue<ReadOnlyMemory<byte>>(KafkaRelay.Mapped(record.Value)))
            .To(new KafkaSink(zombie, outputTopic, new StreamSinkOptions { KeepPartition = true }))
            .Build()
            .Start();
        await WaitUntilAsync(() => ReadAll(cluster, outputTopic, IsolationLevel.ReadCommitted, 10_000).Distinct == 5_000, run);

        // A newer instance with the same transactional.id fenced this one: the brokers answer its next EndTxn so. (The 2.16
        // mock does not fence by itself: a second InitTransactions gets a new producer id instead of bumping the epoch.)
        cluster.Faults.PushRequestErrors(KafkaApiKey.EndTxn, ErrorCode.ProducerFenced);
        Produce(cluster, input, 5_000, 5_000);
        var error = await Assert.ThrowsAnyAsync<DataWeaverException>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));

        var committed = ReadAll(cluster, outputTopic, IsolationLevel.ReadCommitted, 10_000);
        output.WriteLine($"{error.GetType().Name} ({error.ErrorClass}): {error.Message}; zombie committed {zombie.Committed}, aborted {zombie.Aborted}; read_committed sees {committed.Distinct:N0}");
        Assert.Equal(PipelineState.Failed, run.State);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains("fenced", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(transactionalId, error.Message, StringComparison.Ordinal);
        // Not retried, not aborted by this instance: the fenced transaction is the brokers' to abort. (Its records stay readable on the
        // mock, which leaves open transactions visible to read_committed readers.)
        Assert.Equal(0, committed.Duplicates);
        Assert.Equal(0, zombie.Aborted);
    }

    [MockKafkaFact]
    public async Task Relay_TransactionalAgainstPlain_SameRunCpuPerRecord()
    {
        const long Total = 100_000;
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var figures = new List<string>();
        foreach (var transactional in new[] { false, true, false, true })
        {
            var relay = new KafkaRelay(cluster, output, partitions: 4)
            {
                TransactionalId = transactional ? "cpu-" + Guid.NewGuid().ToString("N") : null,
                PipelineOptions = new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(100) },
            };
            await relay.CreateTopicsAsync();
            TimeSpan cpuStart = default;
            var wall = new Stopwatch();
            var (checker, run) = await relay.RunAsync(Total, afterPrefill: () =>
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                wall.Start();
            });
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
            Assert.Equal(PipelineState.Stopped, run.State);
            Assert.Equal(0, checker.Lost);
            Assert.Equal(0, checker.Duplicates);
            figures.Add(
                $"{(transactional ? "transactional" : "plain        ")}: {cpu.TotalNanoseconds / Total:N0} CPU ns/record, {Total / wall.Elapsed.TotalSeconds:N0} records/s wall" +
                (transactional ? $", {relay.Transactions!.Committed} transactions" : string.Empty));
        }

        output.WriteLine($"{Total:N0} prefilled records, 4 partitions, 1 mock broker in process, commit every 100 ms; CPU of the whole test process (pipeline, mock broker, verifier): load {File.ReadAllText("/proc/loadavg").Trim()}");
        figures.ForEach(output.WriteLine);
    }

    private static async Task<(string Input, string Output)> CreateTopicsAsync(KafkaTestCluster cluster)
    {
        var input = KafkaTestCluster.UniqueTopic("eos-in");
        var outputTopic = KafkaTestCluster.UniqueTopic("eos-out");
        await cluster.CreateTopicAsync(input, Partitions);
        await cluster.CreateTopicAsync(outputTopic, Partitions);
        return (input, outputTopic);
    }

    private void Produce(KafkaTestCluster cluster, string topic, long first, long count, Action<long>? betweenChunks = null)
    {
        using var client = KafkaClients.Producer(cluster.ProducerConfig(), output);
        var producer = new SequenceProducer();
        producer.Produce(client, topic, first, count, keys: 64, valueBytes: 8, betweenChunks);
        Assert.Empty(producer.Errors);
    }

    /// <summary>Reads every partition of <paramref name="topic"/> from the beginning to its end at <paramref name="isolation"/>.</summary>
    private SequenceChecker ReadAll(KafkaTestCluster cluster, string topic, IsolationLevel isolation, long sequences)
    {
        var config = cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("read"));
        config.IsolationLevel = isolation;
        config.EnablePartitionEof = true;
        using var consumer = KafkaClients.Consumer(config, output);
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var checker = new SequenceChecker(sequences);
        var open = Enumerable.Range(0, Partitions).ToHashSet();
        var guard = Stopwatch.StartNew();
        while (open.Count > 0 && guard.Elapsed < TimeSpan.FromMinutes(1))
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                open.Remove(result.Partition.Value);
                continue;
            }

            checker.Add(result);
        }

        return checker;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, PipelineRun run)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // only against a hang
        while (!condition())
        {
            if (run.Completion.IsCompleted)
            {
                await run.Completion;
                throw new InvalidOperationException($"The run ended ({run.State}) before the condition held.");
            }

            await Task.Delay(50, guard.Token);
        }
    }
}
