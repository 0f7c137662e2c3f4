using System.Diagnostics;
using DataWeaver.Buffers;

namespace DataWeaver.Tracing.Internal;

/// <summary>
/// A sampled batch span, held by the batch as a resource: it moves and is shared with every batch made from the source
/// batch, and the span ends when the last of them is released (its records acknowledged, dead-lettered or dropped).
/// </summary>
internal sealed class BatchSpan(Activity activity) : BatchResource
{
    public Activity Activity { get; } = activity;

    private protected override void OnReleased() => Activity.Stop();
}
