namespace DataWeaver.Windowing;

/// <summary>How a window stage cuts time into windows (<see cref="WindowOptions.Kind"/>).</summary>
public enum WindowKind
{
    /// <summary>Fixed windows of <see cref="WindowOptions.Size"/>, one after another, aligned to the Unix epoch; a record is in exactly one.</summary>
    Tumbling,

    /// <summary>
    /// Fixed windows of <see cref="WindowOptions.Size"/> starting every <see cref="WindowOptions.Hop"/>, aligned to the Unix
    /// epoch; a record is in every window that covers its time (Size / Hop of them when the hop divides the size).
    /// </summary>
    Hopping,

    /// <summary>
    /// Per-key windows of activity: a session grows while records of its key come less than <see cref="WindowOptions.Gap"/>
    /// apart, and ends <see cref="WindowOptions.Gap"/> after its last record.
    /// </summary>
    Session,
}
