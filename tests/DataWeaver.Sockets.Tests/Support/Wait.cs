namespace DataWeaver.Sockets.Tests.Support;

/// <summary>Waits for conditions, with a generous guard against hangs (never a performance limit).</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 60)
    {
        var guard = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < guard, $"Timed out after {seconds} s waiting until {what}.");
            await Task.Delay(5);
        }
    }
}
