using DataWeaver.Checkpoints;
using DataWeaver.Records;

namespace DataWeaver.Tests.Checkpoints;

/// <summary>One contract, every store.</summary>
public abstract class CheckpointStoreContractTests
{
    protected abstract ICheckpointStore Store { get; }

    [Fact]
    public async Task LoadAsync_NothingSaved_ReturnsNull() =>
        Assert.Null(await Store.LoadAsync("never-saved"));

    [Fact]
    public async Task SaveAsync_ThenLoad_ReturnsThePositions()
    {
        await Store.SaveAsync("a", [new SourcePosition(0, 10), new SourcePosition(3, 42)]);

        Assert.Equal([new SourcePosition(0, 10), new SourcePosition(3, 42)], await Store.LoadAsync("a"));
    }

    [Fact]
    public async Task SaveAsync_Twice_ReplacesThePreviousCheckpoint()
    {
        await Store.SaveAsync("a", [new SourcePosition(0, 10), new SourcePosition(1, 5)]);
        await Store.SaveAsync("a", [new SourcePosition(0, 20)]);

        Assert.Equal([new SourcePosition(0, 20)], await Store.LoadAsync("a"));
    }

    [Fact]
    public async Task SaveAsync_DifferentKeys_KeepApart()
    {
        await Store.SaveAsync("jsonl:/data/a.jsonl", [new SourcePosition(0, 1)]);
        await Store.SaveAsync("jsonl:/data/a_jsonl", [new SourcePosition(0, 2)]);

        Assert.Equal([new SourcePosition(0, 1)], await Store.LoadAsync("jsonl:/data/a.jsonl"));
        Assert.Equal([new SourcePosition(0, 2)], await Store.LoadAsync("jsonl:/data/a_jsonl"));
    }
}

public sealed class InMemoryCheckpointStoreTests : CheckpointStoreContractTests
{
    protected override ICheckpointStore Store { get; } = new InMemoryCheckpointStore();
}

public sealed class FileCheckpointStoreTests : CheckpointStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dw-ckpt-" + Guid.NewGuid().ToString("N"));

    public FileCheckpointStoreTests() => FileStore = new FileCheckpointStore(_directory);

    protected override ICheckpointStore Store => FileStore;

    private FileCheckpointStore FileStore { get; }

    [Fact]
    public async Task SaveAsync_WritesOneJsonFileAndLeavesNoTemporaryFile()
    {
        await FileStore.SaveAsync("orders", [new SourcePosition(0, 1234)]);
        await FileStore.SaveAsync("orders", [new SourcePosition(0, 5678)]);

        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.Equal(FileStore.GetPath("orders"), file);
        Assert.Contains("\"offset\": 5678", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_LeftoverTemporaryFile_IsIgnored()
    {
        await FileStore.SaveAsync("orders", [new SourcePosition(0, 7)]);
        File.WriteAllText(FileStore.GetPath("orders") + ".tmp", "{\"torn");   // a crash in the middle of a save

        Assert.Equal([new SourcePosition(0, 7)], await FileStore.LoadAsync("orders"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"version\":1,\"key\":\"orders\",\"positions\":[{\"partition\":0,\"off")]
    [InlineData("[1,2]")]
    [InlineData("{\"version\":1,\"key\":\"other\",\"positions\":[]}")]
    [InlineData("{\"version\":1,\"key\":\"orders\",\"positions\":[{\"partition\":0,\"offset\":-5}]}")]
    [InlineData("{\"version\":2,\"key\":\"orders\",\"positions\":[]}")]
    public async Task LoadAsync_CorruptFile_ThrowsCheckpointExceptionNamingThePath(string content)
    {
        Directory.CreateDirectory(_directory);
        var path = FileStore.GetPath("orders");
        File.WriteAllText(path, content);

        var error = await Assert.ThrowsAsync<CheckpointException>(async () => await FileStore.LoadAsync("orders"));

        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(DataWeaver.Errors.ErrorClass.Fatal, error.ErrorClass);
    }

    [Fact]
    public void GetPath_KeyWithPathCharacters_StaysInTheFolder()
    {
        var path = FileStore.GetPath("jsonl:/var/data/../orders.jsonl");

        Assert.Equal(Path.GetFullPath(_directory), Path.GetDirectoryName(path));
        Assert.EndsWith(".checkpoint.json", path, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
