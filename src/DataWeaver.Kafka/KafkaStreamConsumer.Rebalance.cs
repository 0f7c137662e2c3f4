using Confluent.Kafka;

namespace DataWeaver.Kafka;

/// <summary>Rebalances: assignment, the drain and commit on revocation, returning partitions.</summary>
internal sealed partial class KafkaStreamConsumer
{
    private void OnAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> assigned)
    {
        CommitReturningPartitions(consumer, assigned);
        foreach (var partition in assigned)
        {
            Volatile.Write(ref _handed[partition.Partition.Value], -1);
            Volatile.Write(ref _epochs[partition.Partition.Value], Interlocked.Increment(ref _epoch));
        }

        _assignmentVersion++;

        Volatile.Write(ref _assignment, [.. _assignment.Union(assigned.Select(p => p.Partition.Value)).Order()]);
    }

    private void OnRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartition> revoked, bool drain)
    {
        var gone = revoked.Select(p => p.Partition.Value).ToHashSet();
        foreach (var partition in gone)
        {
            Interlocked.Exchange(ref _epochs[partition], Interlocked.Increment(ref _epoch)); // full fence: see TryConsume
        }

        if (drain && _transactions is not null)
        {
            try
            {
                CommitTransaction(consumer);
            }
#pragma warning disable CA1031 // On the poll thread inside librdkafka's callback: the failure ends the consumer instead.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _buffer.Writer.TryComplete(exception);
            }
        }
        else if (drain)
        {
            CommitDrained(consumer, gone);
        }

        Volatile.Write(ref _assignment, [.. _assignment.Where(p => !gone.Contains(p))]);
    }

    /// <summary>Waits until nothing handed out of <paramref name="partitions"/> awaits its acknowledgement, or the deadline.</summary>
    /// <returns>The partitions still waiting (empty when drained).</returns>
    private List<int> WaitUntilAcknowledged(HashSet<int> partitions, long deadline)
    {
        while (partitions.Any(Undrained) && Environment.TickCount64 < deadline && !_stopping.IsCancellationRequested)
        {
            _acknowledgedSignal.Wait(TimeSpan.FromMilliseconds(50));
        }

        return [.. partitions.Where(Undrained)];

        bool Undrained(int p) => Volatile.Read(ref _handed[p]) > Volatile.Read(ref _acknowledged[p]);
    }

    /// <summary>The acknowledged positions of <paramref name="partitions"/> in this assignment (something handed out and acknowledged past where it started).</summary>
    private List<TopicPartitionOffset> AcknowledgedOffsets(IEnumerable<int> partitions) =>
        [.. partitions
            .Where(p => Volatile.Read(ref _handed[p]) >= 0 && Volatile.Read(ref _acknowledged[p]) > Volatile.Read(ref _firstHanded[p]))
            .Select(p => new TopicPartitionOffset(Topic, p, Math.Min(Volatile.Read(ref _acknowledged[p]), Volatile.Read(ref _handed[p]))))];

    /// <summary>
    /// Commits, in the new generation and before the consumer fetches where to resume, the drained positions of returning
    /// partitions whose commit at revocation was refused: nobody else owned them in between, so nothing is re-read.
    /// </summary>
    private void CommitReturningPartitions(IConsumer<byte[], byte[]> consumer, List<TopicPartition> assigned)
    {
        if (_uncommittedAtRevocation.Count == 0)
        {
            return;
        }

        var returning = assigned
            .Where(p => _uncommittedAtRevocation.ContainsKey(p.Partition.Value))
            .Select(p => new TopicPartitionOffset(Topic, p.Partition, _uncommittedAtRevocation[p.Partition.Value]))
            .ToList();
        _uncommittedAtRevocation.Clear();
        if (returning.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(returning);
        }
        catch (KafkaException exception)
        {
            _log(new KafkaLogMessage(KafkaLogLevel.Warning, Topic, "REVOKE", KafkaSecrets.Scrub($"Committing the drained positions of returning partitions of '{Topic}' failed: {exception.Error.Reason}.")));
        }
    }

    /// <summary>
    /// Waits (bounded) until what was handed out of <paramref name="partitions"/> is acknowledged, then commits the
    /// acknowledged positions. A commit that fails is left to the next owner, who re-reads from the last commit.
    /// </summary>
    private void CommitDrained(IConsumer<byte[], byte[]> consumer, HashSet<int> partitions)
    {
        var started = Environment.TickCount64;
        var undrained = WaitUntilAcknowledged(partitions, started + (long)(_stopping.IsCancellationRequested ? 0 : _drainTimeout.TotalMilliseconds));
        var offsets = AcknowledgedOffsets(partitions);
        var outcome = "nothing to commit";
        if (offsets.Count > 0)
        {
            try
            {
                consumer.Commit(offsets);
                outcome = "committed " + string.Join(", ", offsets.Select(o => $"{o.Partition.Value}@{o.Offset.Value}"));
            }
            catch (KafkaException exception)
            {
                // Refused mid-rebalance (some brokers, and always the mock, answer REBALANCE_IN_PROGRESS) or fenced: the next
                // owner starts from the last commit (at least once). Should a partition come back here, its drained
                // position is committed in the new generation before reading resumes (CommitReturningPartitions).
                outcome = "commit failed: " + exception.Error.Reason;
                foreach (var offset in offsets)
                {
                    _uncommittedAtRevocation[offset.Partition.Value] = offset.Offset.Value;
                }
            }
        }

        _log(new KafkaLogMessage(
            undrained.Count > 0 || outcome.StartsWith("commit failed", StringComparison.Ordinal) ? KafkaLogLevel.Warning : KafkaLogLevel.Info,
            Topic,
            "REVOKE",
            KafkaSecrets.Scrub(
                $"'{Topic}' partitions [{string.Join(',', partitions.Order())}] revoked from group '{GroupId}': drained in {Environment.TickCount64 - started} ms" +
                (undrained.Count > 0 ? $", still in flight in [{string.Join(',', undrained)}] after the drain timeout" : string.Empty) + $"; {outcome}.")));
    }
}
