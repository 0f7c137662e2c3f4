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
        else if (_transactions is null)
        {
            // Lost (a refused commit or an expired session): no commit is possible now. Should a partition come back here,
            // what was acknowledged is committed before reading resumes; one that went elsewhere is re-read from the last commit.
            foreach (var offset in AcknowledgedOffsets(gone))
            {
                _uncommittedAtRevocation[offset.Partition.Value] = offset.Offset.Value;
            }
        }

        foreach (var partition in gone)
        {
            _refusedCommits.TryRemove(partition, out _); // drained and committed above, or lost: the next owner re-reads
        }

        Volatile.Write(ref _assignment, [.. _assignment.Where(p => !gone.Contains(p))]);
    }

    /// <summary>
    /// Whether a commit was refused because the classic group moved on to a new generation (IllegalGeneration) or
    /// forgot this member (UnknownMemberId). librdkafka answers both by revoking the assignment and rejoining by itself;
    /// retrying the commit meanwhile made things worse: each retry that met the next generation change made librdkafka
    /// revoke and rejoin again, and three members committing continuously kept their group rebalancing until every
    /// member's commit retries ran out and all three pipelines failed. So, as Kafka Connect does, such a commit is not
    /// retried and does not fail the run (see <see cref="RememberRefusedCommits"/>). KIP-848's member epoch errors are
    /// left to the retries: librdkafka only hurries its next heartbeat for those.
    /// </summary>
    private bool IsRefusedBecauseTheGroupMovedOn(KafkaException exception)
    {
        if (_framework.Options.GroupProtocol == KafkaGroupProtocol.Consumer)
        {
            return false;
        }

        var code = exception is TopicPartitionOffsetException partitions
            ? partitions.Results.FirstOrDefault(r => r.Error.IsError)?.Error.Code ?? exception.Error.Code
            : exception.Error.Code;
        return code is ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId;
    }

    /// <summary>
    /// Keeps the positions of a commit the group refused (see <see cref="IsRefusedBecauseTheGroupMovedOn"/>): the next
    /// commit carries them for the partitions still assigned here, a revocation commits the drained positions anyway,
    /// and a partition lost meanwhile is re-read by its next owner from the last commit (at least once, never past
    /// what was acknowledged).
    /// </summary>
    private void RememberRefusedCommits(List<TopicPartitionOffset> offsets, KafkaException exception)
    {
        foreach (var offset in offsets)
        {
            _refusedCommits.AddOrUpdate(offset.Partition.Value, offset.Offset.Value, (_, known) => Math.Max(known, offset.Offset.Value));
        }

        _log(new KafkaLogMessage(
            KafkaLogLevel.Warning,
            Topic,
            "COMMIT",
            KafkaSecrets.Scrub(
                $"Commit of '{Topic}' [{string.Join(", ", offsets.Select(o => $"{o.Partition.Value}@{o.Offset.Value}"))}] for group '{GroupId}' refused " +
                $"({exception.Error.Code}: the group moved on); librdkafka rejoins the group, the positions go with the next commit of partitions still assigned here.")));
    }

    /// <summary>Forgets the refused positions that a commit of <paramref name="offsets"/> covered.</summary>
    private void ForgetRefusedCommits(List<TopicPartitionOffset> offsets)
    {
        if (_refusedCommits.IsEmpty)
        {
            return;
        }

        foreach (var offset in offsets)
        {
            if (_refusedCommits.TryGetValue(offset.Partition.Value, out var refused) && refused <= offset.Offset.Value)
            {
                _refusedCommits.TryRemove(new KeyValuePair<int, long>(offset.Partition.Value, refused));
            }
        }
    }

    /// <summary>Adds the refused positions (see <see cref="RememberRefusedCommits"/>) of assigned partitions that <paramref name="offsets"/> does not name.</summary>
    private void AddRefusedCommits(List<TopicPartitionOffset> offsets, IReadOnlyList<int> assigned)
    {
        if (_refusedCommits.IsEmpty)
        {
            return;
        }

        foreach (var (partition, offset) in _refusedCommits)
        {
            if (assigned.Contains(partition) && !offsets.Exists(o => o.Partition.Value == partition))
            {
                offsets.Add(new TopicPartitionOffset(Topic, partition, offset));
            }
        }
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
