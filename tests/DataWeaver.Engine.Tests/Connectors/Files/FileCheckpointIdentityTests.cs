using DataWeaver.Connectors.Files;
using DataWeaver.Records;

namespace DataWeaver.Tests.Connectors.Files;

/// <summary>
/// The one checkpoint identity layout and check that the <c>json-lines-file</c> source and the <c>file</c> connector
/// share: a checkpoint of another file, a truncated or a rewritten file is told apart from the same file, whatever the
/// lengths.
/// </summary>
public sealed class FileCheckpointIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ToPositions_ThenFromPositions_RoundTripsInTheSharedLayout()
    {
        var saved = new FileCheckpointIdentity(42, new FileIdentity(7, 9), 12, 1234);

        var positions = saved.ToPositions();

        SourcePosition[] expected = [new(0, 42), new(1, 7), new(2, 9), new(3, 12), new(4, 1234)];
        Assert.Equal(expected, positions);
        Assert.Equal<FileCheckpointIdentity?>(saved, FileCheckpointIdentity.FromPositions(positions));
    }

    [Fact]
    public void FromPositions_OnlyAPosition_IsUnidentifiedAndNoPositionIsNull()
    {
        var legacy = FileCheckpointIdentity.FromPositions([new SourcePosition(0, 10)]);
        using var handle = Open("a\n");

        Assert.False(legacy!.Value.HasIdentity);
        Assert.Equal(FileCheckpointMatch.Unidentified, legacy.Value.Check(handle, FileIdentity.Of(handle), byteOffset: true));
        Assert.Null(FileCheckpointIdentity.FromPositions([new SourcePosition(1, 10)]));
    }

    [Fact]
    public void Check_SameFileAnotherFileTruncatedAndRewrittenWithTheSameLength_AreToldApart()
    {
        using var handle = Open("line 1\nline 2\n");
        var identity = FileIdentity.Of(handle);
        var saved = new FileCheckpointIdentity(14, identity, 14, FileIdentity.Fingerprint(handle, 14)!.Value);

        Assert.Equal(FileCheckpointMatch.Same, saved.Check(handle, identity, byteOffset: true));
        if (identity.IsKnown)
        {
            Assert.Equal(FileCheckpointMatch.AnotherFile, saved.Check(handle, identity with { Inode = identity.Inode + 1 }, byteOffset: true));
        }

        using (var shorter = Open("line 1\n", "shorter"))
        {
            Assert.Equal(FileCheckpointMatch.Truncated, (saved with { Identity = default }).Check(shorter, default, byteOffset: true));
        }

        using var rewritten = Open("line 3\nline 4\n", "rewritten"); // the same length, other bytes
        Assert.Equal(FileCheckpointMatch.Rewritten, (saved with { Identity = default }).Check(rewritten, default, byteOffset: true));
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle Open(string text, string name = "in")
    {
        var path = Path.Combine(_dir, name + ".txt");
        File.WriteAllText(path, text);
        return File.OpenHandle(path);
    }
}
