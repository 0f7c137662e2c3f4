using System.Globalization;
using System.Text;

namespace DataWeaver.Testing.Sequences;

/// <summary>
/// What <see cref="SequenceChecker"/> found in the sequence ids a run delivered: how many expected ids are
/// missing (lost), delivered more than once (duplicated) or delivered after a greater id (out of order), with the
/// first few examples of each.
/// </summary>
public sealed class SequenceReport
{
    internal SequenceReport(
        long expected,
        long observed,
        long lost,
        long duplicated,
        long outOfOrder,
        long unexpected,
        IReadOnlyList<long> firstLost,
        IReadOnlyList<long> firstDuplicated,
        IReadOnlyList<long> firstOutOfOrder,
        IReadOnlyList<long> firstUnexpected)
    {
        Expected = expected;
        Observed = observed;
        Lost = lost;
        Duplicated = duplicated;
        OutOfOrder = outOfOrder;
        Unexpected = unexpected;
        FirstLost = firstLost;
        FirstDuplicated = firstDuplicated;
        FirstOutOfOrder = firstOutOfOrder;
        FirstUnexpected = firstUnexpected;
    }

    /// <summary>Gets how many distinct ids were expected.</summary>
    public long Expected { get; }

    /// <summary>Gets how many ids were delivered, duplicates and unexpected ids included.</summary>
    public long Observed { get; }

    /// <summary>Gets how many expected ids were never delivered.</summary>
    public long Lost { get; }

    /// <summary>Gets how many deliveries repeated an id already delivered (an id delivered three times counts 2).</summary>
    public long Duplicated { get; }

    /// <summary>
    /// Gets how many first deliveries came after a greater id had been delivered: an id out of place in the order of
    /// first deliveries. Repeats are counted in <see cref="Duplicated"/>, not here.
    /// </summary>
    public long OutOfOrder { get; }

    /// <summary>Gets how many deliveries carried an id outside the expected range.</summary>
    public long Unexpected { get; }

    /// <summary>Gets the smallest lost ids, at most <see cref="SequenceChecker.ExampleCount"/>.</summary>
    public IReadOnlyList<long> FirstLost { get; }

    /// <summary>Gets the first duplicated ids in delivery order, at most <see cref="SequenceChecker.ExampleCount"/>.</summary>
    public IReadOnlyList<long> FirstDuplicated { get; }

    /// <summary>Gets the first out-of-order ids in delivery order, at most <see cref="SequenceChecker.ExampleCount"/>.</summary>
    public IReadOnlyList<long> FirstOutOfOrder { get; }

    /// <summary>Gets the first unexpected ids in delivery order, at most <see cref="SequenceChecker.ExampleCount"/>.</summary>
    public IReadOnlyList<long> FirstUnexpected { get; }

    /// <summary>Gets a value indicating whether every expected id was delivered exactly once, in order, and nothing else.</summary>
    public bool IsExactlyOnceInOrder => Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && Unexpected == 0;

    /// <summary>Fails the test (an xUnit assertion) when an id was lost or an unexpected id was delivered.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">An id was lost or unexpected.</exception>
    public void AssertNothingLost()
    {
        if (Lost != 0 || Unexpected != 0)
        {
            Assert.Fail("Records were lost: " + this);
        }
    }

    /// <summary>Fails the test when an id was lost, duplicated or unexpected (order is not checked).</summary>
    /// <exception cref="Xunit.Sdk.XunitException">An id was lost, duplicated or unexpected.</exception>
    public void AssertExactlyOnce()
    {
        if (Lost != 0 || Duplicated != 0 || Unexpected != 0)
        {
            Assert.Fail("Records were not delivered exactly once: " + this);
        }
    }

    /// <summary>Fails the test unless every id was delivered exactly once and in order.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">An id was lost, duplicated, unexpected or out of order.</exception>
    public void AssertExactlyOnceInOrder()
    {
        if (!IsExactlyOnceInOrder)
        {
            Assert.Fail("Records were not delivered exactly once in order: " + this);
        }
    }

    /// <summary>Fails the test when an id was lost or unexpected, or when more than <paramref name="maxDuplicates"/> deliveries were repeats.</summary>
    /// <param name="maxDuplicates">The most repeats allowed (at least once: the in-flight bound per crash).</param>
    /// <exception cref="Xunit.Sdk.XunitException">The report breaks the bound.</exception>
    public void AssertAtLeastOnce(long maxDuplicates)
    {
        AssertNothingLost();
        if (Duplicated > maxDuplicates)
        {
            Assert.Fail($"More duplicates than the bound of {maxDuplicates.ToString(CultureInfo.InvariantCulture)}: " + this);
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"expected {Expected}, observed {Observed}: lost {Lost}");
        Examples(text, FirstLost);
        text.Append(CultureInfo.InvariantCulture, $", duplicated {Duplicated}");
        Examples(text, FirstDuplicated);
        text.Append(CultureInfo.InvariantCulture, $", out of order {OutOfOrder}");
        Examples(text, FirstOutOfOrder);
        text.Append(CultureInfo.InvariantCulture, $", unexpected {Unexpected}");
        Examples(text, FirstUnexpected);
        return text.ToString();
    }

    private static void Examples(StringBuilder text, IReadOnlyList<long> ids)
    {
        if (ids.Count > 0)
        {
            text.Append(" (first: ").AppendJoin(", ", ids).Append(')');
        }
    }
}
