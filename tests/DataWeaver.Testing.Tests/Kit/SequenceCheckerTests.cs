using DataWeaver.Testing.Sequences;
using Xunit.Sdk;

namespace DataWeaver.Testing.Tests.Kit;

public sealed class SequenceCheckerTests
{
    [Fact]
    public void Check_LostDuplicatedOutOfOrderAndUnexpected_CountsEachAndKeepsFirstExamples()
    {
        var report = SequenceChecker.Check([0, 1, 1, 3, 2, 5, 9, 1], expectedCount: 6);

        Assert.Equal(6, report.Expected);
        Assert.Equal(8, report.Observed);
        Assert.Equal(1, report.Lost);
        Assert.Equal([4L], report.FirstLost);
        Assert.Equal(2, report.Duplicated);
        Assert.Equal([1L, 1L], report.FirstDuplicated);
        Assert.Equal(1, report.OutOfOrder);
        Assert.Equal([2L], report.FirstOutOfOrder);
        Assert.Equal(1, report.Unexpected);
        Assert.Equal([9L], report.FirstUnexpected);
        Assert.False(report.IsExactlyOnceInOrder);
        Assert.Equal("expected 6, observed 8: lost 1 (first: 4), duplicated 2 (first: 1, 1), out of order 1 (first: 2), unexpected 1 (first: 9)", report.ToString());
    }

    [Fact]
    public void Check_ExactlyOnceInOrder_PassesEveryAssertion()
    {
        var report = SequenceChecker.Check([10, 11, 12], expectedCount: 3, first: 10);

        Assert.True(report.IsExactlyOnceInOrder);
        report.AssertExactlyOnceInOrder();
        report.AssertAtLeastOnce(0);
    }

    [Fact]
    public void Check_ManyLost_KeepsTheTenSmallest()
    {
        var report = SequenceChecker.Check([], expectedCount: 1_000);

        Assert.Equal(1_000, report.Lost);
        Assert.Equal(Enumerable.Range(0, SequenceChecker.ExampleCount).Select(i => (long)i), report.FirstLost);
    }

    [Fact]
    public void Check_ExpectedSet_ChecksAgainstThoseIdsInTheirOrder()
    {
        var report = SequenceChecker.Check([48, 50, 49, 52], expected: [48, 49, 50, 51]);

        Assert.Equal([51L], report.FirstLost);
        Assert.Equal([49L], report.FirstOutOfOrder);
        Assert.Equal([52L], report.FirstUnexpected);
    }

    [Fact]
    public void AssertAtLeastOnce_DuplicatesOverTheBound_FailsNamingThem()
    {
        var report = SequenceChecker.Check([0, 1, 2, 1, 2], expectedCount: 3);

        report.AssertAtLeastOnce(2);
        var failure = Assert.ThrowsAny<XunitException>(() => report.AssertAtLeastOnce(1));
        Assert.Contains("duplicated 2 (first: 1, 2)", failure.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<XunitException>(report.AssertExactlyOnce);
    }

    [Fact]
    public void AssertNothingLost_OneLost_Fails()
    {
        var report = SequenceChecker.Check([0, 2], expectedCount: 3);

        var failure = Assert.ThrowsAny<XunitException>(report.AssertNothingLost);
        Assert.Contains("lost 1 (first: 1)", failure.Message, StringComparison.Ordinal);
    }
}
