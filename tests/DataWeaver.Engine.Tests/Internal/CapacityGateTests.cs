using DataWeaver.Internal;

namespace DataWeaver.Tests.Internal;

public sealed class CapacityGateTests
{
    [Fact]
    public void AddBytesAndRelease_ConcurrentThreads_KeepAnExactCount()
    {
        var gate = new CapacityGate(long.MaxValue, long.MaxValue);
        const int N = 2_000_000;
        var adder = new Thread(() => { for (var i = 0; i < N; i++) gate.AddBytes(1); });
        var releaser = new Thread(() => { for (var i = 0; i < N; i++) gate.Release(0, 1); });

        adder.Start();
        releaser.Start();
        adder.Join();
        releaser.Join();

        Assert.Equal(0, gate.Bytes);
    }

    [Fact]
    public async Task WaitAsync_Full_WaitsUntilCreditsAreReleased()
    {
        var gate = new CapacityGate(maxRecords: 10, maxBytes: 0);
        await gate.WaitAsync(8, CancellationToken.None);
        gate.Admit(8, 8, 0);

        var waiting = gate.WaitAsync(5, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        gate.Release(3, 0);

        await waiting;
        gate.Admit(5, 5, 0);
        Assert.Equal(10, gate.Records);
        Assert.Equal(10, gate.PeakRecords);
    }

    [Fact]
    public async Task RecordsInFlight_CreditsReservedForAFillThatReadNothing_CountNoRecord()
    {
        var gate = new CapacityGate(maxRecords: 1024, maxBytes: 0);
        await gate.WaitAsync(512, CancellationToken.None);
        gate.Admit(512, 500, 0);                      // a fill read 500 records
        gate.Release(500, 0);                         // all acknowledged
        await gate.WaitAsync(512, CancellationToken.None); // the next fill waits for data that does not come

        Assert.Equal(0, gate.RecordsInFlight);        // was 512: the reserved credits counted as records in flight
        Assert.Equal(500, gate.PeakRecords);
        Assert.Equal(512, gate.Records);              // the credits still bound the source
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndTakesNoCredit()
    {
        var gate = new CapacityGate(maxRecords: 10, maxBytes: 0);
        await gate.WaitAsync(10, CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiting = gate.WaitAsync(1, cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        gate.Release(10, 0);
        Assert.Equal(0, gate.Records);
    }
}
