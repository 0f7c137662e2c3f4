using DataWeaver.Connectors;

namespace DataWeaver.Merging;

/// <summary>
/// A source made of other sources (<see cref="MergedSource{T}"/>), or a source that stands for one other source (a
/// wrapper): the engine takes the checkpoint lock of every part and checks every part's files against the sinks'.
/// </summary>
public interface IMergedSource
{
    /// <summary>Gets the sources this one reads through, each the one whose checkpoint and files count.</summary>
    IEnumerable<Connector> Parts { get; }
}
