namespace DataWeaver.Configuration.Tests.Support;

/// <summary>Paths of the repository and a temporary folder per test.</summary>
internal sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dataweaver-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Lines(string name) => System.IO.File.ReadAllLines(File(name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a file still open on a slow CI machine: the temp folder is cleaned up later
        }
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "DataWeaver.Engine.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DataWeaver.Engine.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Runs a doc example from a folder, as its reader would, and restores the current directory afterwards.</summary>
internal sealed class CurrentDirectory : IDisposable
{
    private readonly string _previous = Directory.GetCurrentDirectory();

    private CurrentDirectory(string path) => Directory.SetCurrentDirectory(path);

    public static CurrentDirectory Set(string path) => new(path);

    public void Dispose() => Directory.SetCurrentDirectory(_previous);
}
