namespace DataWeaver.Testing.Sequences;

/// <summary>
/// Checks the sequence ids a run delivered against the ids it should have delivered: counts what was lost, duplicated,
/// out of order or unexpected, and keeps the first examples of each (see <see cref="SequenceReport"/>).
/// </summary>
/// <example>
/// <code>
/// var report = SequenceChecker.Check(sink.Ids, expectedCount: 1_000);
/// report.AssertExactlyOnceInOrder();
/// </code>
/// </example>
public static class SequenceChecker
{
    /// <summary>How many examples of each kind a report keeps.</summary>
    public const int ExampleCount = 10;

    /// <summary>Checks ids delivered against the expected range <c>[first, first + expectedCount)</c>.</summary>
    /// <param name="observed">The ids in delivery order.</param>
    /// <param name="expectedCount">How many ids were expected; at least 0.</param>
    /// <param name="first">The first expected id.</param>
    /// <returns>The report.</returns>
    public static SequenceReport Check(IEnumerable<long> observed, long expectedCount, long first = 0)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expectedCount, int.MaxValue);
        var end = first + expectedCount;
        return Check(observed, id => id >= first && id < end ? id - first : -1, expectedCount, first, static (f, i) => f + i);
    }

    /// <summary>Checks ids delivered against an explicit set of expected ids (a run that should re-read some ids only).</summary>
    /// <param name="observed">The ids in delivery order.</param>
    /// <param name="expected">The expected ids, in the order they should arrive.</param>
    /// <returns>The report.</returns>
    public static SequenceReport Check(IEnumerable<long> observed, IEnumerable<long> expected)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(expected);
        var order = expected.Distinct().ToArray();
        var index = new Dictionary<long, long>(order.Length);
        for (var i = 0; i < order.Length; i++)
        {
            index[order[i]] = i;
        }

        return Check(observed, id => index.TryGetValue(id, out var i) ? i : -1, order.Length, order, static (o, i) => o[(int)i]);
    }

    private static SequenceReport Check<TState>(IEnumerable<long> observed, Func<long, long> indexOf, long expectedCount, TState state, Func<TState, long, long> idAt)
    {
        var seen = new int[expectedCount];
        long count = 0, duplicated = 0, outOfOrder = 0, unexpected = 0, highest = -1;
        List<long> firstDuplicated = [], firstOutOfOrder = [], firstUnexpected = [];
        foreach (var id in observed)
        {
            count++;
            var i = indexOf(id);
            if (i < 0)
            {
                unexpected++;
                Keep(firstUnexpected, id);
                continue;
            }

            if (seen[i]++ > 0)
            {
                duplicated++;
                Keep(firstDuplicated, id);
                continue;
            }

            if (i < highest)
            {
                outOfOrder++;
                Keep(firstOutOfOrder, id);
            }
            else
            {
                highest = i;
            }
        }

        long lost = 0;
        List<long> firstLost = [];
        for (long i = 0; i < expectedCount; i++)
        {
            if (seen[i] == 0)
            {
                lost++;
                Keep(firstLost, idAt(state, i));
            }
        }

        return new SequenceReport(expectedCount, count, lost, duplicated, outOfOrder, unexpected, firstLost, firstDuplicated, firstOutOfOrder, firstUnexpected);
    }

    private static void Keep(List<long> examples, long id)
    {
        if (examples.Count < ExampleCount)
        {
            examples.Add(id);
        }
    }
}
