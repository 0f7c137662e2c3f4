using Confluent.Kafka;
using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>Exactly once: commits through <see cref="KafkaTransactions"/> behind a barrier.</summary>
internal sealed partial class KafkaStreamConsumer
{
    /// <summary>
    /// Exactly once: stops handing out messages, waits until every message handed out was acknowledged (written into the
    /// open transaction), then commits the transaction with the acknowledged positions of the assigned partitions. What
    /// cannot drain within <see cref="StreamConsumerOptions.RevocationDrainTimeout"/> aborts the transaction and throws
    /// (fatal): restarting resumes from the last committed transaction, so nothing is lost or written twice.
    /// </summary>
    internal Task CommitTransactionAsync(CancellationToken cancellationToken) =>
        Task.Run(() => CommitTransaction(_consumer), cancellationToken);

    private void CommitTransaction(IConsumer<byte[], byte[]> consumer)
    {
        var transactions = _transactions!;
        lock (transactions.Gate)
        {
            var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_barrierLock)
            {
                _barrier = barrier;
            }

            try
            {
                var all = Enumerable.Range(0, _handed.Length).ToHashSet();
                var undrained = WaitUntilAcknowledged(all, Environment.TickCount64 + (long)_drainTimeout.TotalMilliseconds);
                if (undrained.Count > 0)
                {
                    transactions.Abort();
                    throw new Errors.DataWeaverException(
                        Errors.ErrorClass.Fatal,
                        $"The transaction of '{transactions.TransactionalId}' was aborted: records of '{Topic}' partitions [{string.Join(',', undrained)}] were still " +
                        $"not written after {_drainTimeout.TotalSeconds:N0} s. Restarting resumes from the last committed transaction.");
                }

                transactions.Commit(AcknowledgedOffsets(Assignment), consumer.ConsumerGroupMetadata);
            }
            finally
            {
                lock (_barrierLock)
                {
                    _barrier = null;
                }

                barrier.TrySetResult();
            }
        }
    }
}
