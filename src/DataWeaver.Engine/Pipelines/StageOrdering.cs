namespace DataWeaver.Pipelines;

/// <summary>What a stage with several workers promises about the order of its output.</summary>
public enum StageOrdering
{
    /// <summary>Records leave in the order they arrived, whatever the degree of parallelism.</summary>
    Ordered,

    /// <summary>Records with equal keys leave in the order they arrived; records of other keys may overtake them.</summary>
    KeyOrdered,

    /// <summary>Records leave as soon as they are processed.</summary>
    Unordered,
}
