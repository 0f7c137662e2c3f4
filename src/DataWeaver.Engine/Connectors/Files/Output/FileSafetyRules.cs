using DataWeaver.Checkpoints;
using DataWeaver.Merging;
using DataWeaver.Streams;

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
        var resumes = Resumes(source, reads);
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

                if (resumes is not null && written.Use == FileUse.Replace)
                {
                    yield return $"{kind} '{sink.Name}' replaces '{path}' on each run (append: false), but the source '{source.Name}' resumes from {resumes}, "
                        + "so each run reads only what is new and replacing the file would wipe what earlier runs wrote. "
                        + "A pipeline whose source resumes (a checkpoint, a consumer group) needs append: true on every file it writes, sinks and dead-letter files alike.";
                }
            }
        }
    }

    /// <summary>Where a source resumes from on its next run, if it does: a checkpoint, or a consumer group's committed offsets.</summary>
    private static string? Resumes(Connector source, List<FileEndpoint> reads) =>
        reads.Any(e => e.Use == FileUse.ReadFromCheckpoint) || CheckpointLocks.FindAll(source).Any() ? "a checkpoint"
        : ResumesFromOffsets(source) ? "its consumer group's committed offsets"
        : null;

    /// <summary>Whether the source, or any source a merged source or wrapper reads through, resumes from committed offsets.</summary>
    private static bool ResumesFromOffsets(Connector source) =>
        source is StreamSource || (source is IMergedSource merged && merged.Parts.Any(ResumesFromOffsets));

    /// <summary>The files a connector uses, as it describes them.</summary>
    private static IEnumerable<FileEndpoint> Describe(Connector connector) => connector switch
    {
        IMergedSource merged => merged.Parts.SelectMany(Describe),
        IFileEndpoints endpoints => endpoints.FileEndpoints,
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
