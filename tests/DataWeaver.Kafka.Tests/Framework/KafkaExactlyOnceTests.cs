using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Streams;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>
/// Exactly-once Kafka to Kafka on the mock cluster: the transactional flow end to end. The mock cannot prove atomicity
/// (librdkafka 2.16's mock writes commit and abort markers, but a read_committed consumer still receives aborted and
/// open-transaction records, and offsets sent to a transaction are discarded): these tests prove the flow.
/// </summary>
public sealed class KafkaExactlyOnceTests(ITestOutputHelper output)
{
    [MockKafkaFact]
    public async Task Relay_ExactlyOnce_EveryRecordOnceInOrderInCommittedTransactions()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var relay = new KafkaRelay(cluster, output, partitions: 4)
        {
            TransactionalId = "relay-" + Guid.NewGuid().ToString("N"),
            PipelineOptions = new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(100) },
        };
        await relay.CreateTopicsAsync();

        var (checker, run) = await relay.RunAsync(30_000);

        output.WriteLine($"transactions committed {relay.Transactions!.Committed}, aborted {relay.Transactions.Aborted}");
        Assert.Equal(PipelineState.Stopped, run.State);
        // librdkafka 2.16's mock writes transaction commit markers (2.0.2's did not), so the output's offsets skip one
        // per partition per transaction, as on a real broker; lost, duplicated and out-of-order must still be 0.
        checker.AssertExactlyOnceInOrderWithTransactionMarkers(relay.Transactions.Committed, partitions: 4);
        Assert.True(relay.Transactions.Committed >= 2, $"only {relay.Transactions.Committed} transaction(s): the run committed only at its end");
        Assert.Equal(0, relay.Transactions.Aborted);
    }

    [MockKafkaFact]
    public async Task Relay_ExactlyOnceSinkFailsMidRun_AbortsTheTransactionAndFailsWithTheSinksError()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var input = KafkaTestCluster.UniqueTopic("eos-in");
        await cluster.CreateTopicAsync(input, partitions: 2);
        var producer = new SequenceProducer();
        using (var client = KafkaClients.Producer(cluster.ProducerConfig(), output))
        {
            producer.Produce(client, input, 0, 5_000, valueBytes: 8);
        }

        var outputTopic = KafkaTestCluster.UniqueTopic("eos-out");
        await cluster.CreateTopicAsync(outputTopic, partitions: 2);
        var options = KafkaStreamFrameworkTests.Options(cluster);
        await using var kafka = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        var transactionalId = "eos-fail-" + Guid.NewGuid().ToString("N");
        var group = new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("eos"), RevocationDrainTimeout = TimeSpan.FromSeconds(2) };

        // The brokers refuse the sink's writes (not retriable): its delivery reports fail inside the open transaction.
        cluster.Faults.PushRequestErrors(KafkaApiKey.Produce, [.. Enumerable.Repeat(Confluent.Kafka.ErrorCode.MsgSizeTooLarge, 50)]);
        // snippet: kafka-exactly-once
        var transactions = new KafkaTransactions(options, transactionalId);   // one per instance, stable across its restarts
        var run = Pipeline.From(new KafkaSource(kafka, input, transactions, group), new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(100) })
            .To(new KafkaSink(transactions, outputTopic))   // writes inside the open transaction
            .Build()
            .Start();                                        // each commit: drain, send the offsets, commit the transaction
        // end snippet

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine($"{error.GetType().Name}: {error.Message}; committed {transactions.Committed}, aborted {transactions.Aborted}");
        Assert.Equal(PipelineState.Failed, run.State);
        Assert.Contains("MsgSizeTooLarge", error.Message, StringComparison.Ordinal);
        Assert.True(transactions.Aborted >= 1, "the open transaction was not aborted");
    }
}
