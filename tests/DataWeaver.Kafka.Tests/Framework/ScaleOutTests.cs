using DataWeaver.Kafka.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>
/// Scale-out: three pipelines (separate processes, one consumer group) share a 16-partition topic while it is produced;
/// one member is stopped gracefully (SIGTERM: drain, commit, leave) and later another is killed (SIGKILL).
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Total = 240_000;
    private const int Partitions = 16;

    /// <summary>The in-flight bound of each member; continuous commits make it the bound on what a kill can duplicate.</summary>
    private const int MaxInFlightRecords = 2_000;

    [MockKafkaFact]
    public async Task ThreeMembers_OneStoppedOneKilledMidStream_LosesNothingAndDuplicatesOnlyAfterTheKillWithinTheInFlightWindow()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 3);
        var input = KafkaTestCluster.UniqueTopic("scale-in");
        var outputTopic = KafkaTestCluster.UniqueTopic("scale-out");
        await cluster.CreateTopicAsync(input, Partitions, replicationFactor: 3);
        await cluster.CreateTopicAsync(outputTopic, Partitions, replicationFactor: 3);
        var group = KafkaTestCluster.UniqueGroup("scale");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var checker = new SequenceChecker(Total);
        long read = 0;
        var verifier = Task.Run(() =>
        {
            using var consumer = KafkaClients.Consumer(cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("verify")), output);
            consumer.Subscribe(outputTopic);
            while (checker.Distinct < Total && !cancel.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is { IsPartitionEOF: false })
                {
                    lock (checker)
                    {
                        checker.Add(result);
                    }

                    Interlocked.Increment(ref read);
                }
            }

            consumer.Close();
        });

        HarnessProcess[] members = [.. new[] { "A", "B", "C" }.Select(name =>
            HarnessProcess.Start(name, cluster.BootstrapServers, input, outputTopic, group, MaxInFlightRecords, pauseEvery: 200))];
        try
        {
            foreach (var member in members)
            {
                Assert.True(await member.WaitForPartitionsAsync(TimeSpan.FromSeconds(60)), $"{member.Name} never got partitions:\n{member.Output}");
            }

            var producer = new SequenceProducer();
            var producing = Task.Run(() =>
            {
                using var client = KafkaClients.Producer(cluster.ProducerConfig(), output);
                producer.Produce(client, input, 0, Total, keys: 4096, valueBytes: 8, betweenChunks: _ => Thread.Sleep(40)); // ~25,000/s
            });

            // Stop A gracefully a third of the way in; its partitions move to B and C with a drain-and-commit handover.
            await WaitUntilAsync(() => Interlocked.Read(ref read) >= Total / 3, cancel.Token);
            var (a, b, c) = (members[0], members[1], members[2]);
            var stopped = await a.StopAsync(TimeSpan.FromSeconds(60));
            Assert.True(stopped == 0, $"A exited with {stopped}:\n{a.Output}");

            // Kill B two thirds of the way in, once the handover is done: every duplicate so far would be the rebalance's.
            await WaitUntilAsync(() => Interlocked.Read(ref read) >= 2 * Total / 3 && b.Assignment.Split(',').Length + c.Assignment.Split(',').Length == Partitions, cancel.Token);
            long duplicatesBeforeKill;
            lock (checker)
            {
                duplicatesBeforeKill = checker.Duplicates;
            }

            var killedAssignment = b.Assignment;
            await b.KillAsync();

            await producing.WaitAsync(cancel.Token);
            await verifier.WaitAsync(cancel.Token);
            var stoppedC = await c.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(
                $"{Total:N0} records, 3 members: lost {checker.Lost}, duplicates before the kill {duplicatesBeforeKill}, " +
                $"after {checker.Duplicates - duplicatesBeforeKill} (B owned {killedAssignment}; bound {MaxInFlightRecords}), out of order {checker.OutOfOrder}");
            Assert.Empty(producer.Errors);
            Assert.Equal(0, stoppedC);
            Assert.Equal(0, checker.Lost);
            Assert.Equal(0, duplicatesBeforeKill);
            Assert.InRange(checker.Duplicates, 0, MaxInFlightRecords);
        }
        finally
        {
            foreach (var member in members)
            {
                output.WriteLine($"--- {member.Name}:\n{member.Output}");
                member.Dispose();
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
