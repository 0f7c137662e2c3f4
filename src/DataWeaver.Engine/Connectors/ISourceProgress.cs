namespace DataWeaver.Connectors;

/// <summary>
/// A source that knows how much of a known whole it has read (a file's bytes, a generator's count), so that a display can
/// show the share done and an estimate of the time left. Sources that cannot know (streams, followed files) do not
/// implement it, or return <see langword="null"/>.
/// </summary>
public interface ISourceProgress
{
    /// <summary>
    /// Gets how far the source has read now, or <see langword="null"/> while it does not know (before it opens, while it
    /// follows a growing file). Called from any thread while the source runs: MUST NOT block and MUST NOT throw.
    /// </summary>
    SourceProgress? Progress { get; }
}

/// <summary>How far a source has read, in one unit.</summary>
/// <param name="Done">How much was read (records handed to the engine, or bytes consumed by them).</param>
/// <param name="Total">How much there is to read in all, in the same unit.</param>
/// <param name="Unit">What <paramref name="Done"/> and <paramref name="Total"/> count.</param>
public readonly record struct SourceProgress(long Done, long Total, SourceProgressUnit Unit)
{
    /// <summary>Gets the share read, from 0 to 1 (1 when there is nothing to read).</summary>
    public double Fraction => Total <= 0 ? 1 : Math.Clamp((double)Done / Total, 0, 1);
}

/// <summary>What a <see cref="SourceProgress"/> counts.</summary>
public enum SourceProgressUnit
{
    /// <summary>Records.</summary>
    Records,

    /// <summary>Bytes of the input.</summary>
    Bytes,
}
