namespace DataWeaver.Windowing.Internal;

/// <summary>Why a window result is emitted.</summary>
internal enum WindowEmission
{
    /// <summary>The window closed (the first final result).</summary>
    Final,

    /// <summary>A late record updated a closed window (allowed lateness), or a session merged emitted ones.</summary>
    Update,

    /// <summary>The window is still open: its current result, before the final one (early results).</summary>
    Early,
}
