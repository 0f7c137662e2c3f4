using DataWeaver.Internal;
using DataWeaver.Records;

namespace DataWeaver.Tests.Internal;

/// <summary>
/// Source leases are reused once released and out of the tracker's queues: the watermark, the credits and the
/// acknowledged counts must stay exact whatever order the leases are released in, and a lease still waiting behind an
/// earlier one must never be handed out again.
/// </summary>
public sealed class AcknowledgementTrackerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Register_LeasesReleasedOutOfOrderManyTimes_WatermarksCreditsAndCountsExact(bool holdUntilCommitted)
    {
        var gate = new CapacityGate(1_000_000, 0);
        var advances = new List<SourcePosition>();
        var tracker = new AcknowledgementTracker(gate, advances.Add, holdUntilCommitted);
        var random = new Random(20261208);
        var live = new List<AcknowledgementTracker.SourceLease>();
        var seen = new HashSet<AcknowledgementTracker.SourceLease>(ReferenceEqualityComparer.Instance);
        long offset = 0, records = 0;
        for (var round = 0; round < 2_000; round++)
        {
            // A few batches in flight, released in a random order: later ones wait behind earlier ones.
            while (live.Count < 4)
            {
                var size = random.Next(1, 100);
                Assert.True(gate.WaitAsync(size, CancellationToken.None).IsCompletedSuccessfully);
                gate.Admit(size, size, size * 10L);
                offset += size;
                records += size;
                var lease = tracker.Register(partition: 0, resumeOffset: offset, records: size, bytes: size * 10L);
                Assert.DoesNotContain(lease, live); // a lease waiting behind another is never reused
                Assert.Equal((offset, size, size * 10L, false), (lease.ResumeOffset, lease.Records, lease.Bytes, lease.Done));
                seen.Add(lease);
                live.Add(lease);
            }

            var index = random.Next(live.Count);
            live[index].Release();
            live.RemoveAt(index);
            if (holdUntilCommitted && round % 7 == 0 && tracker.Watermarks() is [var watermark])
            {
                tracker.Committed([watermark]);
            }
        }

        foreach (var lease in live)
        {
            lease.Release();
        }

        var progress = Assert.Single(tracker.Progress());
        Assert.Equal((records, records, offset), (progress.Read, progress.Acknowledged, progress.Watermark));
        Assert.Equal(advances.Select(a => a.Offset).Order(), advances.Select(a => a.Offset)); // in order, never back
        Assert.Equal(offset, advances[^1].Offset);
        if (holdUntilCommitted)
        {
            Assert.True(gate.Records > 0); // credits wait for the commit
            tracker.Committed([new SourcePosition(0, offset)]);
        }

        Assert.Equal((0, 0), (gate.Records, gate.Bytes));
        Assert.True(seen.Count < 100, $"{seen.Count} leases for 2,000 batches: released ones are reused");
    }
}
