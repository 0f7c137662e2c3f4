using DataWeaver.Checkpoints;

namespace DataWeaver.Connectors.Files.Output;

/// <summary>The checks a pipeline build makes on the files its connectors read and write (see <see cref="IFileEndpoints"/>).</summary>
internal static class FileSafetyRules
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Lists what is unsafe about a source and the sinks and dead-letter sinks it feeds.</summary>
    public static IEnumerable<string> Check(Connector source, IEnumerable<Connector> sinks, IEnumerable<Connector> deadLetterSinks)
    {
        var reads = Describe(source).Where(e => e.Use is FileUse.Read or FileUse.ReadFromCheckpoint).Select(e => e with { Path = Normalize(e.Path) }).ToList();
        var resumes = reads.Any(e => e.Use == FileUse.ReadFromCheckpoint) || CheckpointLocks.Find(source) is not null;
        foreach (var (sink, deadLetters) in sinks.Select(s => (s, false)).Concat(deadLetterSinks.Select(s => (s, true))))
        {
            var kind = deadLetters ? "Dead-letter sink" : "Sink";
            foreach (var written in Describe(sink).Where(e => e.Use is FileUse.Append or FileUse.Replace))
            {
                var path = Normalize(written.Path);
                if (reads.FirstOrDefault(r => Within(path, r.Path)) is { Path: not null } read)
                {
                    yield return $"{kind} '{sink.Name}' writes '{path}', {(read.Path.Equals(path, PathComparison) ? "the file" : "inside the folder")} the source '{source.Name}' reads: "
                        + "every record written would be read again, a loop that fills the disk. Write to a file the source does not read.";
                }

                if (resumes && written.Use == FileUse.Replace)
                {
                    yield return $"{kind} '{sink.Name}' replaces '{path}' on each run (append: false), but the source '{source.Name}' resumes from a checkpoint, "
                        + "so each run reads only what is new and replacing the file would wipe what earlier runs wrote. "
                        + "A checkpointed pipeline needs append: true on every file it writes, sinks and dead-letter files alike.";
                }
            }
        }
    }

    /// <summary>The files a connector uses: its own description, or what the built-in JSON-lines source says about itself.</summary>
    private static IEnumerable<FileEndpoint> Describe(Connector connector) => connector switch
    {
        IFileEndpoints endpoints => endpoints.FileEndpoints,
        JsonLinesSource source => [new FileEndpoint(Path.GetFullPath(source.FilePath), source.Options.CheckpointStore is null ? FileUse.Read : FileUse.ReadFromCheckpoint)],
        _ => [],
    };

    private static bool Within(string written, string read) =>
        written.Equals(read, PathComparison)
        || (written.Length > read.Length && written.StartsWith(read, PathComparison) && written[read.Length] == Path.DirectorySeparatorChar);

    /// <summary>The full path, through a symbolic link when the path is one (a link to the input is the input).</summary>
    private static string Normalize(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target ? Path.GetFullPath(target.FullName) : full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
