using DataWeaver.Tracing.Internal;

namespace DataWeaver.Internal;

/// <summary>Tracing's view of a batch: the batch span it carries, if its source batch was sampled.</summary>
internal sealed partial class Batch<T>
{
    /// <summary>Gets the span of the first sampled source batch these records came from, or <see langword="null"/>.</summary>
    public BatchSpan? FindSpan()
    {
        if (_firstResource is BatchSpan first)
        {
            return first;
        }

        if (_moreResources is { Count: > 0 } more)
        {
            foreach (var resource in more)
            {
                if (resource is BatchSpan span)
                {
                    return span;
                }
            }
        }

        return null;
    }
}
