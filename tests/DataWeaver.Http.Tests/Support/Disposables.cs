namespace DataWeaver.Http.Tests.Support;

internal static class Disposables
{
    /// <summary>Disposes every item, one after the other, from a synchronous Dispose.</summary>
    public static void DisposeAll(IEnumerable<IAsyncDisposable> items)
    {
        foreach (var item in items)
        {
            item.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
