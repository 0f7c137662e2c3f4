using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Connectors.Files;

public sealed class FileLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Acquire_HeldByAnotherHandle_ThrowsAtOnceWithTheHoldersRecord()
    {
        var clock = new ManualTimeProvider();
        clock.Advance(TimeSpan.FromHours(3));
        var path = FileLock.PathFor(Path.Combine(_dir, "out.jsonl"));
        using var held = FileLock.Acquire(path, "output 'out.jsonl'", clock);

        var error = Assert.Throws<FileLockedException>(() => FileLock.Acquire(path, "output 'out.jsonl'"));

        Assert.Equal(new FileLockHolder(Environment.ProcessId, Environment.MachineName, clock.GetUtcNow()), error.Holder);
        Assert.Equal(held.Holder, error.Holder);
        Assert.StartsWith($"The output 'out.jsonl' is in use by another run (process {Environment.ProcessId} on {Environment.MachineName} since 2026-01-01T03:00:00Z; lock file '{path}').", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ThenAcquire_SucceedsAndNoFileIsLeft()
    {
        var path = FileLock.PathFor(Path.Combine(_dir, "out.jsonl"));
        FileLock.Acquire(path, "output").Dispose();
        using (FileLock.Acquire(path, "output"))
        {
            Assert.True(File.Exists(path));
            Assert.True(File.Exists(path + ".holder"));
        }

        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Acquire_StaleLockAndGarbledHolderLeftBehind_TakesItOver()
    {
        var path = FileLock.PathFor(Path.Combine(_dir, "out.jsonl"));
        File.WriteAllText(path, "whatever");
        File.WriteAllText(path + ".holder", "{ not json");

        using var taken = FileLock.Acquire(path, "output");

        Assert.Equal(Environment.ProcessId, taken.Holder.ProcessId);
    }

    [Fact]
    public void FileCheckpointStore_Lock_IsPerKey()
    {
        var store = new FileCheckpointStore(Path.Combine(_dir, "checkpoints"));
        using var a = store.Lock("a");
        using var b = store.Lock("b");

        var error = Assert.Throws<FileLockedException>(() => new FileCheckpointStore(Path.Combine(_dir, "checkpoints")).Lock("a"));

        Assert.Contains($"The checkpoint '{store.GetPath("a")}' is in use by another run", error.Message, StringComparison.Ordinal);
    }
}
