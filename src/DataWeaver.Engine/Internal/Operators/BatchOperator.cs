using DataWeaver.Internal.Runtime;

namespace DataWeaver.Internal.Operators;

/// <summary>
/// A per-record operator applied to a whole batch at a time, inside a fused block. The loop over the batch runs
/// without per-record error handling; when a record throws and the stage has an error policy, the rest of the
/// batch continues on a slow path that hands each failing record to the policy (<see cref="Errors"/>).
/// </summary>
internal abstract class BatchOperator(RecordErrorHandler? errors)
{
    /// <summary>Gets the stage's error handler, or <see langword="null"/> when errors fail the pipeline.</summary>
    protected RecordErrorHandler? Errors { get; } = errors;

    /// <summary>Gets or sets the run the operator works for (its counters); set once when the worker is created.</summary>
    internal RunContext? Run { get; set; }

    /// <summary>
    /// Applies the operator. Returns the output batch (possibly the input itself), or <see langword="null"/>
    /// when no record is left, in which case the input was released (its records count as handled).
    /// Completes synchronously unless a record failed and the policy had to act.
    /// </summary>
    public abstract ValueTask<IBatch?> ApplyAsync(IBatch input);

    /// <summary>Gives the output batch of a type-changing operator the input's records, resources and byte estimate.</summary>
    /// <returns>The output batch, or <see langword="null"/> (and the output released) when it holds no record.</returns>
    protected static IBatch? Replace<TIn, TOut>(Batch<TIn> input, Batch<TOut> output)
    {
        output.Bytes = input.Bytes;
        input.MoveResourcesTo(output);
        input.Recycle();
        if (output.Count == 0)
        {
            output.Release();
            return null;
        }

        return output;
    }

    /// <summary>Keeps the first <paramref name="kept"/> records; releases the batch when none is left.</summary>
    protected static IBatch? Compact<T>(Batch<T> batch, int kept)
    {
        var count = batch.Count;
        if (kept == 0)
        {
            batch.Release();
            return null;
        }

        if (kept != count)
        {
            batch.Bytes = batch.Bytes * kept / count;
            batch.Count = kept;
        }

        return batch;
    }

    /// <summary>
    /// The slow path of a map: records from <paramref name="failedAt"/> on, each failure handed to the policy.
    /// <paramref name="to"/> may be the source's own array (an in-place map); records before
    /// <paramref name="failedAt"/> are done. Returns how many outputs there are (dropped records leave no gap).
    /// </summary>
    protected async ValueTask<int> MapSlowAsync<TIn, TOut>(Batch<TIn> source, TOut[] to, int failedAt, Exception first, Func<TIn, TOut> map)
    {
        var from = source.Items;
        var written = failedAt;
        var (ok, value) = await Errors!.HandleAsync(from[failedAt], first, map, source).ConfigureAwait(false);
        if (ok)
        {
            to[written++] = value;
        }

        for (var i = failedAt + 1; i < source.Count; i++)
        {
            var record = from[i];
            try
            {
                value = map(record);
                ok = true;
            }
            catch (Exception error)
            {
                (ok, value) = await Errors.HandleAsync(record, error, map, source).ConfigureAwait(false);
            }

            if (ok)
            {
                to[written++] = value;
            }
        }

        await Errors.FlushAsync(source).ConfigureAwait(false);
        return written;
    }

    /// <summary>The slow path of a filter, as <see cref="MapSlowAsync"/>; a record whose predicate keeps failing is dropped by the policy.</summary>
    protected async ValueTask<IBatch?> FilterSlowAsync<T>(Batch<T> batch, int kept, int failedAt, Exception first, Func<T, bool> predicate)
    {
        var items = batch.Items;
        var filtered = failedAt - kept;
        var (ok, keep) = await Errors!.HandleAsync(items[failedAt], first, predicate, batch).ConfigureAwait(false);
        if (ok && keep)
        {
            items[kept++] = items[failedAt];
        }
        else if (ok)
        {
            filtered++;
        }

        for (var i = failedAt + 1; i < batch.Count; i++)
        {
            var record = items[i];
            try
            {
                keep = predicate(record);
                ok = true;
            }
            catch (Exception error)
            {
                (ok, keep) = await Errors.HandleAsync(record, error, predicate, batch).ConfigureAwait(false);
            }

            if (ok && keep)
            {
                items[kept++] = record;
            }
            else if (ok)
            {
                filtered++;
            }
        }

        Run?.AddFiltered(filtered);
        await Errors.FlushAsync(batch).ConfigureAwait(false);
        return Compact(batch, kept);
    }
}
