namespace DataWeaver.Connectors.Files.Output;

/// <summary>How a connector uses a file, for the checks a pipeline build makes (see <see cref="IFileEndpoints"/>).</summary>
public enum FileUse
{
    /// <summary>A source reads the file, from its start or a configured offset, each run.</summary>
    Read,

    /// <summary>A source reads the file and resumes each run from a checkpoint: each run reads only what is new.</summary>
    ReadFromCheckpoint,

    /// <summary>A sink appends to the file.</summary>
    Append,

    /// <summary>A sink replaces the file with what the run wrote, when the run succeeds.</summary>
    Replace,
}

/// <summary>A file a connector reads or writes.</summary>
/// <param name="Path">The file (or, for a source reading a folder, the folder), as a full path.</param>
/// <param name="Use">How the connector uses it.</param>
public readonly record struct FileEndpoint(string Path, FileUse Use);

/// <summary>
/// Implemented by connectors that read or write files, so that building a pipeline can refuse what would lose or
/// loop data: a sink writing a file its source reads (or a file inside a folder it reads), and a sink or dead-letter
/// file that replaces its file when the source resumes from a checkpoint (each run would wipe what earlier runs wrote).
/// </summary>
public interface IFileEndpoints
{
    /// <summary>Gets the files the connector reads or writes. MUST NOT touch the disk.</summary>
    IReadOnlyList<FileEndpoint> FileEndpoints { get; }
}
