namespace DataWeaver.Configuration.Files;

/// <summary>How the <c>file</c> source and sink compress files.</summary>
public enum FileCompression
{
    /// <summary>gzip for names ending in <c>.gz</c>, none otherwise.</summary>
    Auto,

    /// <summary>No compression, whatever the name.</summary>
    None,

    /// <summary>gzip, whatever the name (several gzip members in one file are read one after the other).</summary>
    Gzip,
}
