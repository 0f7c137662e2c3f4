namespace DataWeaver.Diagnostics;

/// <summary>The tag (attribute) names of the <see cref="DataWeaverMeter"/> instruments.</summary>
public static class DataWeaverTags
{
    /// <summary>The pipeline's name (<see cref="Pipelines.PipelineOptions.Name"/>): on every instrument.</summary>
    public const string Pipeline = "dataweaver.pipeline";

    /// <summary>The stage a record failed, was retried, dead-lettered, skipped or left unrouted in (the stage's name in the graph).</summary>
    public const string Stage = "dataweaver.stage";

    /// <summary>The sink's name, as the graph shows it.</summary>
    public const string Sink = "dataweaver.sink";

    /// <summary>A block's name, as <see cref="Pipelines.Pipeline.Describe"/> shows it.</summary>
    public const string Block = "dataweaver.block";

    /// <summary>A block's id in <see cref="Pipelines.Pipeline.Describe"/> (<c>b0</c>, <c>b1</c>, ...): unique where names repeat.</summary>
    public const string BlockId = "dataweaver.block.id";

    /// <summary>The error class: <c>transient</c>, <c>data</c> or <c>fatal</c>.</summary>
    public const string ErrorClass = "dataweaver.error.class";

    /// <summary>The source partition.</summary>
    public const string Partition = "dataweaver.partition";

    /// <summary>The source connector's name.</summary>
    public const string Source = "dataweaver.source";

    /// <summary>What a source notice reports, e.g. <c>UnterminatedTail</c>, <c>Truncated</c>, <c>Replaced</c>.</summary>
    public const string NoticeKind = "dataweaver.notice.kind";

    /// <summary>A run state: <c>running</c>, <c>draining</c>, <c>completed</c>, <c>faulted</c> or <c>aborted</c>.</summary>
    public const string State = "dataweaver.state";
}
