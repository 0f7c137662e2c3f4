using DataWeaver.Connectors;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;

namespace DataWeaver.Tests.Connectors.Files;

// snippet: connectors-file-sink
/// <summary>Writes each string as a line, through a SafeFileWriter: locked, replaced only when the run ends well.</summary>
public sealed class TextLinesSink(string path, bool append = false) : SinkConnector<string>(Path.GetFileName(path)), IFileEndpoints
{
    private SafeFileWriter? _file;

    public IReadOnlyList<FileEndpoint> FileEndpoints => [new(Path.GetFullPath(path), append ? FileUse.Append : FileUse.Replace)];

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _file = SafeFileWriter.Open(path, new SafeFileWriterOptions { Append = append, RepairIncompleteLastLine = true });
        return default;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<string> batch, CancellationToken cancellationToken = default)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(batch.ToArray().Select(line => line + "\n")));
        await _file!.WriteAsync(bytes, cancellationToken);   // acknowledged once the file still at `path` has them
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        _file?.Commit();                                      // the run ended well: rename over the old file
        return default;
    }

    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_file is { } file)
        {
            _file = null;
            await file.DisposeAsync();                        // without Commit: the old file stays as it was
        }
    }
}
// end snippet

/// <summary>Runs the docs' <see cref="TextLinesSink"/>: a custom format on the same output safety as JSON lines.</summary>
public sealed class SafeFileWriterDocsExample : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-text-sink-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TextLinesSink_RunSucceedsThenARunFails_FileHasTheFirstRunsLines()
    {
        var output = Path.Combine(_dir, "out", "lines.txt");

        await Pipeline.From(new CollectionSource<string>(["a", "b"])).To(new TextLinesSink(output)).Build().RunAsync();
        var failing = Pipeline.From(new CollectionSource<string>(["c", "boom"]))
            .Map(s => s == "boom" ? throw new InvalidOperationException("boom") : s)
            .To(new TextLinesSink(output))
            .Build();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.RunAsync());

        Assert.Equal(["a", "b"], File.ReadAllLines(output));
        Assert.Equal(["lines.txt"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }
}
