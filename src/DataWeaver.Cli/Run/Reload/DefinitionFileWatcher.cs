namespace DataWeaver.Cli.Run.Reload;

/// <summary>
/// <c>dataweaver run --watch</c>: watches the definition file and reloads it once it has been quiet for
/// <see cref="Debounce"/> (an editor's save is often several writes, or a write to a temporary file and a rename).
/// </summary>
internal sealed class DefinitionFileWatcher : IDisposable
{
    /// <summary>How long the file must be left alone after a change before it is reloaded: 500 ms.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);

    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;

    /// <summary>Starts watching.</summary>
    /// <param name="path">The definition file, in full.</param>
    /// <param name="time">The clock of the debounce.</param>
    /// <param name="reload">Reloads the file (what it returns is reported by the reload itself).</param>
    public DefinitionFileWatcher(string path, TimeProvider time, Func<Task> reload)
    {
        _timer = time.CreateTimer(static state => _ = ((Func<Task>)state!)(), reload, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.EnableRaisingEvents = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => _timer.Change(Debounce, Timeout.InfiniteTimeSpan); // each change restarts the wait
}
