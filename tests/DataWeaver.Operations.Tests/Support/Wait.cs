namespace DataWeaver.Operations.Tests.Support;

/// <summary>Polls a condition; the guard is against a hang, not a measurement.</summary>
public static class Wait
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }
}
