using System.Runtime.InteropServices;
using DataWeaver.Internal;

namespace DataWeaver.Windowing.Internal;

/// <summary>
/// Spilling (<see cref="WindowOptions.SpillDirectory"/>): at the state's bound the open windows holding the most bytes
/// write their aggregates to a spill run and free them, until the state is at half its bound; a window that spilled is
/// emitted by merging its runs with what is in memory.
/// </summary>
internal sealed partial class WindowNode<T, TKey, TAcc, TResult, TAgg, TOut>
{
    private readonly WindowSpill<TKey, TAcc>? _spill;
    private bool _spillDue;

    private WindowSpill<TKey, TAcc>? CreateSpill(WindowSettings settings, TAgg aggregator)
    {
        if (settings.SpillDirectory is not { } directory)
        {
            return null;
        }

        // The definition refused what cannot spill; a direct construction gets the same answer.
        var codec = WindowStateCodec<TKey, TAcc>.For(aggregator)
            ?? throw new InvalidOperationException($"Stage '{Name}': spilling needs the built-in aggregates or an aggregator implementing IWindowAccumulatorCodec, and a key of type string, long or int.");
        return new WindowSpill<TKey, TAcc>(Name, directory, settings.SpillMaxBytes, codec);
    }

    /// <summary>The state passed its byte budget or its key bound: without a spill the run fails; with one, the next add spills.</summary>
    private void OverBound()
    {
        if (_spill is null)
        {
            if (_keys > _s.MaxKeys)
            {
                ThrowKeys(Name, _s.MaxKeys);
            }

            ThrowBudget(Name, _s.BudgetBytes, _bytes);
        }

        _spillDue = true;
    }

    /// <summary>Spills the open windows holding the most bytes until the state is at half its bounds; fails if what is left cannot be spilled.</summary>
    private void Spill()
    {
        _spillDue = false;
        while (_bytes > _s.BudgetBytes / 2 || _keys > _s.MaxKeys / 2)
        {
            FixedWindow? largest = null;
            foreach (var (_, window) in _windows)
            {
                if (!window.Fired && window.Aggregates.Count > 0 && (largest is null || window.Bytes > largest.Bytes))
                {
                    largest = window;
                }
            }

            if (largest is null)
            {
                break;
            }

            SpillWindow(largest);
        }

        if (_keys > _s.MaxKeys)
        {
            ThrowKeys(Name, _s.MaxKeys);
        }

        if (_bytes > _s.BudgetBytes)
        {
            ThrowBudget(Name, _s.BudgetBytes, _bytes); // what is left (windows, held batches) is not aggregates
        }
    }

    private void SpillWindow(FixedWindow window)
    {
        long freed = 0;
        foreach (var key in window.Aggregates.Keys)
        {
            freed += s_entryBytes + KeyBytes(key) + _aggregator.EstimateBytes(ref CollectionsMarshal.GetValueRefOrNullRef(window.Aggregates, key));
        }

        (window.Runs ??= []).Add(_spill!.Write(window.Start, window.Aggregates));
        _keys -= window.Aggregates.Count;
        window.Aggregates.Clear();
        window.Aggregates.TrimExcess();
        window.Bytes -= freed;
        _bytes -= freed;
    }

    /// <summary>Emits a window that spilled: its runs and its memory merged, each key once, then deletes its runs.</summary>
    private async ValueTask EmitSpilledAsync(FixedWindow window)
    {
        window.Fired = true;
        var start = new DateTimeOffset(window.Start, TimeSpan.Zero);
        var end = new DateTimeOffset(window.End, TimeSpan.Zero);
        var merge = _spill!.Merge(window.Runs!, window.Aggregates, MergePartials);
        try
        {
            Batch<TOut>? output = null;
            while (merge.TryNext(out var key, out var accumulator))
            {
                output ??= Batch<TOut>.Rent(_chunk);
                output.Add(_output(key, start, end, _aggregator.Result(ref accumulator), WindowEmission.Final));
                if (output.Count == _chunk)
                {
                    await SendChunkAsync(LeasesOf(window), output).ConfigureAwait(false);
                    output = null;
                }
            }

            if (output is not null)
            {
                await SendChunkAsync(LeasesOf(window), output).ConfigureAwait(false);
            }
        }
        finally
        {
            merge.Dispose();
        }

        // The results carry the window's leases: a crash before they are written re-reads the records, so the runs
        // (not state) can go now.
        _spill.Delete(window.Runs!);
        window.Runs = null;
    }

    private void MergePartials(ref TAcc into, ref TAcc other) => _aggregator.Merge(ref into, ref other);
}
