using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;

namespace DataWeaver.Deduplication.Internal;

/// <summary>
/// Remembers each key for a time to live from its first record, in a dictionary plus a first-seen queue (which is also
/// the expiry order, processing time being monotonic); drops records whose key is remembered. At the key bound the
/// queue's head is forgotten early.
/// </summary>
internal sealed class DeduplicationNode<T, TKey> : SerialNode<T, T>
    where TKey : notnull
{
    private readonly Func<T, TKey> _keySelector;
    private readonly int _maxKeys;
    private readonly long _timeToLive;
    private readonly TimeProvider _time;
    private readonly Dictionary<TKey, long> _seen = [];
    private readonly Queue<(TKey Key, long FirstSeen)> _order = new();

    public DeduplicationNode(string name, Func<T, TKey> keySelector, DeduplicationOptions options, int boundedCapacity, BatchTarget<T> output, RunContext run, BlockCounters? counters)
        : base(name, boundedCapacity, output, run, counters, tickPeriod: null)
    {
        _keySelector = keySelector;
        _maxKeys = options.MaxKeys;
        _time = run.Options.TimeProvider;
        _timeToLive = (long)(options.TimeToLive.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>Gets how many keys were forgotten before their time because of the key bound.</summary>
    public long Evicted { get; private set; }

    protected override ValueTask OnBatchAsync(Batch<T> batch)
    {
        var now = _time.GetTimestamp();
        while (_order.TryPeek(out var head) && now - head.FirstSeen >= _timeToLive)
        {
            _order.Dequeue();
            _seen.Remove(head.Key);
        }

        var items = batch.Items;
        var count = batch.Count;
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            var record = items[i];
            var key = _keySelector(record);
            if (_seen.ContainsKey(key))
            {
                continue;
            }

            if (_seen.Count >= _maxKeys)
            {
                _seen.Remove(_order.Dequeue().Key);
                Evicted++;
            }

            _seen.Add(key, now);
            _order.Enqueue((key, now));
            items[kept++] = record;
        }

        Run.AddFiltered(count - kept);
        Counters?.Pass(count);
        if (kept == 0)
        {
            batch.Release();
            return default;
        }

        if (kept != count)
        {
            Array.Clear(items, kept, count - kept);
            batch.Bytes = batch.Bytes * kept / count;
            batch.Count = kept;
        }

        return SendAsync(batch);
    }
}
