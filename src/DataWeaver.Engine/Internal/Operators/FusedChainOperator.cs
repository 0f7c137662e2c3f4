using System.Runtime.CompilerServices;

namespace DataWeaver.Internal.Operators;

/// <summary>
/// Consecutive maps and filters of a segment applied in one loop over the batch: each record goes through every
/// step (<typeparamref name="TChain"/>, a struct the JIT inlines) and is written once, in place when the segment
/// keeps the record type, compacted as filters drop records. Only per-batch bookkeeping: one filtered count, one
/// byte estimate.
/// <para>
/// Errors: when no step has an error policy, an exception leaves the loop and fails the run, as it would from the
/// steps' own operators. Under a policy, the records before the failing one are done, and the failing record and
/// those after it go through the steps' own operators (<paramref name="unfused"/>), which apply each step's policy
/// as an unfused segment does: the same outputs, the same dead letters in the same order. The steps before the one
/// that failed run a second time for the failing record.
/// </para>
/// </summary>
internal sealed class FusedChainOperator<TIn, TOut, TChain>(TChain steps, BatchOperator[] unfused, bool hasErrorPolicy) : BatchOperator(errors: null)
    where TChain : struct, IRecordStep<TIn, TOut>
{
#pragma warning disable IDE0044 // Not readonly: a readonly struct field would be copied on every call, and operators may keep state.
    private TChain _steps = steps;
#pragma warning restore IDE0044

    public override ValueTask<IBatch?> ApplyAsync(IBatch input)
    {
        var source = (Batch<TIn>)input;
        var count = source.Count;
        var output = typeof(TIn) == typeof(TOut) ? (Batch<TOut>)(object)source : Batch<TOut>.Rent(count);
        var from = source.Items.AsSpan(0, count);
        if (!hasErrorPolicy)
        {
            var kept = Apply(from, output.Items);
            return new(Finish(source, output, kept, filtered: count - kept));
        }

        var done = ApplyGuarded(from, output.Items, out var failedAt);
        return failedAt < 0
            ? new(Finish(source, output, done, filtered: count - done))
            : FallbackAsync(source, output, done, failedAt);
    }

    // Fully optimized from the first batch: a loop run once per batch would otherwise spend the process's first
    // seconds in tier-0 and instrumented code, reached through on-stack replacement. The chain's calls are resolved
    // by the generic specialization, so profile-guided optimization has nothing to add.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Apply(ReadOnlySpan<TIn> from, Span<TOut> to)
    {
        var kept = 0;
        for (var i = 0; i < from.Length; i++)
        {
            if (_steps.Apply(from[i], out var value))
            {
                to[kept++] = value;
            }
        }

        return kept;
    }

    /// <summary>As <see cref="Apply"/>; on an exception, says which record threw and how many records were kept before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ApplyGuarded(ReadOnlySpan<TIn> from, Span<TOut> to, out int failedAt)
    {
        var kept = 0;

        // The handler reads only `at` and `keptAt`, written in the loop: the loop's own counters stay in registers.
        var at = 0;
        var keptAt = 0;
        try
        {
            for (var i = 0; i < from.Length; i++)
            {
                at = i;
                keptAt = kept;
                if (_steps.Apply(from[i], out var value))
                {
                    to[kept++] = value;
                }
            }
        }
        catch (Exception)
        {
            // The steps' own operators run the record again and hand its error to the policy.
            failedAt = at;
            return keptAt;
        }

        failedAt = -1;
        return kept;
    }

    /// <summary>
    /// Records from <paramref name="failedAt"/> on go through the steps' own operators, as their own batch holding
    /// references to the source's resources (dead letters take theirs from it); what they keep follows the
    /// <paramref name="kept"/> records already done.
    /// </summary>
    private async ValueTask<IBatch?> FallbackAsync(Batch<TIn> source, Batch<TOut> output, int kept, int failedAt)
    {
        var count = source.Count;
        var rest = Batch<TIn>.Rent(count - failedAt);
        source.Items.AsSpan(failedAt, count - failedAt).CopyTo(rest.Items);
        rest.Count = count - failedAt;
        rest.Bytes = source.Bytes * rest.Count / count;
        source.ShareResourcesWith(rest);
        IBatch? current = rest;
        foreach (var op in unfused)
        {
            var apply = op.ApplyAsync(current);
            current = apply.IsCompletedSuccessfully ? apply.Result : await apply.ConfigureAwait(false);
            if (current is null)
            {
                break;
            }
        }

        var filtered = failedAt - kept;
        if (current is Batch<TOut> after)
        {
            after.Span.CopyTo(output.Items.AsSpan(kept));
            kept += after.Count;
            after.Release();
        }

        return Finish(source, output, kept, filtered);
    }

    /// <summary>The per-batch bookkeeping: the filtered count, the byte estimate, the resources moved to a new output batch.</summary>
    private IBatch? Finish(Batch<TIn> source, Batch<TOut> output, int kept, int filtered)
    {
        Run?.AddFiltered(filtered);
        if (ReferenceEquals(source, output))
        {
            return Compact(source, kept);
        }

        var count = source.Count;
        output.Count = kept;
        var result = Replace(source, output);
        if (result is not null && kept != count)
        {
            output.Bytes = output.Bytes * kept / count;
        }

        return result;
    }
}
