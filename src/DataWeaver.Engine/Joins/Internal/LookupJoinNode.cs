using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Joins.Internal;

/// <summary>
/// Joins records with a keyed table held in memory. The first load starts with the run and the first batch waits for
/// it; with a refresh interval, each clock tick starts a load (unless one is still running) that builds a new
/// dictionary beside the current one and swaps the reference once complete, so a batch sees one version whole.
/// </summary>
internal sealed class LookupJoinNode<T, TKey, TValue, TOut> : SerialNode<T, TOut>
    where TKey : notnull
{
    private static readonly long s_entryBytes = 2L * (16 + Unsafe.SizeOf<TKey>() + Unsafe.SizeOf<TValue>());
    private static readonly bool s_keyOnHeap = !typeof(TKey).IsValueType;
    private static readonly bool s_valueOnHeap = !typeof(TValue).IsValueType;

    private readonly LookupTable<TKey, TValue> _table;
    private readonly Func<T, TKey> _keySelector;
    private readonly Func<T, TValue?, TOut> _resultSelector;
    private readonly LookupJoinOptions _options;
    private readonly ErrorPolicy _policy;
    private readonly Task<Loaded> _firstLoad;
    private readonly Channel<LookupChange<TKey, TValue>>? _changes;
    private readonly CancellationTokenSource? _follow;
    private Loaded? _current;
    private Task? _refreshing;
    private RecordErrorHandler? _errors;
    private long _versions;

    public LookupJoinNode(
        string name,
        LookupTable<TKey, TValue> table,
        Func<T, TKey> keySelector,
        Func<T, TValue?, TOut> resultSelector,
        LookupJoinOptions options,
        ErrorPolicy policy,
        int boundedCapacity,
        BatchTarget<TOut> next,
        RunContext run,
        BlockCounters? counters)
        : base(name, boundedCapacity, next, run, counters, options.RefreshInterval)
    {
        _table = table;
        _keySelector = keySelector;
        _resultSelector = resultSelector;
        _options = options;
        _policy = policy;
        if (table.Changes is not null)
        {
            // A followed table: changes after the initial contents wait here until the next batch applies them.
            _changes = Channel.CreateBounded<LookupChange<TKey, TValue>>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
            var synced = new TaskCompletionSource<Loaded>(TaskCreationOptions.RunContinuationsAsynchronously);
            _firstLoad = synced.Task;
            _follow = CancellationTokenSource.CreateLinkedTokenSource(run.AbortToken);   // also ended with the input (OnEndAsync)
            var follow = _follow.Token;
            _ = Task.Run(() => FollowAsync(synced, follow));
        }
        else
        {
            _firstLoad = Task.Run(() => LoadAsync(run.AbortToken));
        }

        _ = _firstLoad.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Gets the version of the table in use (1 after the first load, then one more per refresh), or 0.</summary>
    public long Version => Volatile.Read(ref _current)?.Version ?? 0;

    protected override async ValueTask OnBatchAsync(Batch<T> batch)
    {
        var table = Volatile.Read(ref _current) ?? await FirstAsync().ConfigureAwait(false);
        if (_changes is not null)
        {
            ApplyChanges(table);
        }

        var entries = table.Entries;
        var items = batch.Items;
        var count = batch.Count;
        var output = Batch<TOut>.Rent(count);
        var dropped = 0;
        for (var i = 0; i < count; i++)
        {
            var record = items[i];
            if (entries.TryGetValue(_keySelector(record), out var value))
            {
                output.Add(_resultSelector(record, value));
                continue;
            }

            switch (_options.OnMissing)
            {
                case LookupMissingKey.PassThrough:
                    output.Add(_resultSelector(record, default));
                    break;
                case LookupMissingKey.Drop:
                    dropped++;
                    break;
                default:
                    Missing(record, table.Version, batch);
                    break;
            }
        }

        if (_errors is not null)
        {
            // The dead letters hold references to the input's resources: handled only once they are written.
            await _errors.FlushAsync(batch).ConfigureAwait(false);
        }

        Run.AddFiltered(dropped);
        Counters?.Pass(count);
        output.Bytes = batch.Bytes * output.Count / count;
        batch.MoveResourcesTo(output);
        batch.Recycle();
        if (output.Count == 0)
        {
            output.Release();
            return;
        }

        await SendAsync(output).ConfigureAwait(false);
    }

    protected override ValueTask OnTickAsync()
    {
        if (Volatile.Read(ref _current) is not null && _refreshing is not { IsCompleted: false } && !Run.AbortToken.IsCancellationRequested)
        {
            _refreshing = RefreshAsync();
        }

        return default;
    }

    protected override ValueTask OnEndAsync()
    {
        // A followed table's stream (a Kafka reader thread, a connection) ends with the run, failed or not.
        _follow?.Cancel();
        return default;
    }

    [DoesNotReturn]
    private static void ThrowFull(string stage, long budget, long bytes, string table, int entries, bool twoTables) =>
        throw new JoinStateFullException(stage, budget, bytes, twoTables
            ? $"table '{table}' ({entries} entries so far, held twice while a refresh loads)"
            : $"table '{table}' ({entries} entries so far)");

    private static long HeapBytes<TItem>(TItem item) => item switch
    {
        null => 0,
        string text => 24 + (2L * text.Length),
        _ => 32,
    };

    private async ValueTask<Loaded> FirstAsync()
    {
        var table = await _firstLoad.ConfigureAwait(false);
        Volatile.Write(ref _current, table);
        return table;
    }

    private async Task RefreshAsync()
    {
        try
        {
            var table = await LoadAsync(Run.AbortToken).ConfigureAwait(false);
            Volatile.Write(ref _current, table);
        }
        catch (JoinStateFullException exception)
        {
            Run.Fail(exception, Name);
        }
        catch (Exception exception) when (!Run.AbortToken.IsCancellationRequested)
        {
            // The current table keeps serving; the next tick tries again.
            Run.CountError(Name, ErrorClass.Transient, exception);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<Loaded> LoadAsync(CancellationToken cancellationToken)
    {
        var twoTables = _options.RefreshInterval is not null;
        var budget = twoTables ? _options.StateBudgetBytes / 2 : _options.StateBudgetBytes;
        var entries = new Dictionary<TKey, TValue>();
        long bytes = 0;
        await foreach (var (key, value) in _table.Load(cancellationToken).ConfigureAwait(false))
        {
            if (entries.TryGetValue(key, out var old))
            {
                // The last row of a key wins.
                bytes -= EntryBytes(key, old);
            }

            bytes += EntryBytes(key, value);
            if (bytes > budget)
            {
                ThrowFull(Name, _options.StateBudgetBytes, twoTables ? bytes * 2 : bytes, _table.Name, entries.Count, twoTables);
            }

            entries[key] = value;
        }

        return new Loaded(entries, Interlocked.Increment(ref _versions), bytes);
    }

    private long EntryBytes(TKey key, TValue value) =>
        _options.BytesPerEntry ?? (s_entryBytes + (s_keyOnHeap ? HeapBytes(key) : 0) + (s_valueOnHeap ? HeapBytes(value) : 0));

    /// <summary>Applies one change to <paramref name="table"/>, counting its bytes against the whole budget.</summary>
    private void Apply(Loaded table, in LookupChange<TKey, TValue> change)
    {
        var entries = table.Entries;
        if (entries.Remove(change.Key, out var old))
        {
            table.Bytes -= EntryBytes(change.Key, old);
        }

        if (change.Kind != LookupChangeKind.Upsert)
        {
            return;
        }

        table.Bytes += EntryBytes(change.Key, change.Value);
        if (table.Bytes > _options.StateBudgetBytes)
        {
            ThrowFull(Name, _options.StateBudgetBytes, table.Bytes, _table.Name, entries.Count, twoTables: false);
        }

        entries[change.Key] = change.Value;
    }

    /// <summary>Applies the changes that arrived since the last batch (on the node's serial path: no batch sees half of them).</summary>
    private void ApplyChanges(Loaded table)
    {
        var reader = _changes!.Reader;
        while (reader.TryRead(out var change))
        {
            Apply(table, change);
        }
    }

    /// <summary>Reads a followed table's change stream: the initial contents up to <see cref="LookupChangeKind.Synced"/>, then live changes.</summary>
    private async Task FollowAsync(TaskCompletionSource<Loaded> synced, CancellationToken cancellationToken)
    {
        var table = new Loaded([], 1, 0);
        Interlocked.Increment(ref _versions);
        var writer = _changes!.Writer;
        try
        {
            await foreach (var change in _table.Changes!(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (synced.Task.IsCompleted)
                {
                    if (change.Kind != LookupChangeKind.Synced)
                    {
                        await writer.WriteAsync(change, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (change.Kind == LookupChangeKind.Synced)
                {
                    synced.TrySetResult(table);
                }
                else
                {
                    Apply(table, change);
                }
            }

            // A stream that ends before its marker: what it gave is the table.
            synced.TrySetResult(table);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            synced.TrySetCanceled(cancellationToken);
        }
        catch (Exception exception)
        {
            if (!synced.TrySetException(exception))
            {
                Run.Fail(exception, Name);
            }
        }
    }

    private void Missing(T record, long version, Batch<T> batch)
    {
        RecordErrorHandler.DropDataError(ref _errors, Name, _policy, Run, record, new LookupKeyNotFoundException(Name, _table.Name, version), batch);
    }

    private sealed class Loaded(Dictionary<TKey, TValue> entries, long version, long bytes)
    {
        public Dictionary<TKey, TValue> Entries { get; } = entries;

        public long Version { get; } = version;

        public long Bytes { get; set; } = bytes;
    }
}
