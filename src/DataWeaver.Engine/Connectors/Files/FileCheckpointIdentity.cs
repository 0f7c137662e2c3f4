using DataWeaver.Records;
using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// What a file source's checkpoint stores beside its position so that a restart knows whether the file at the path is
/// still the one checkpointed: the file's <see cref="FileIdentity"/> (device and inode) and a fingerprint of its first
/// bytes (at most <see cref="FileIdentity.FingerprintBytes"/>). One layout for every file source (the
/// <c>json-lines-file</c> source and the <c>file</c> connector of definition files): the position is partition 0, the
/// device 1, the inode 2, the fingerprint's length 3 and its hash 4.
/// </summary>
/// <param name="Position">Where reading resumes (a byte offset, a record ordinal: the source's own positions).</param>
/// <param name="Identity">The file's device and inode; unknown (both 0) where the platform does not say.</param>
/// <param name="FingerprintLength">How many of the file's first bytes <paramref name="Fingerprint"/> covers; 0 for none.</param>
/// <param name="Fingerprint">The hash of those bytes (<see cref="FileIdentity.Fingerprint"/>).</param>
public readonly record struct FileCheckpointIdentity(long Position, FileIdentity Identity, int FingerprintLength, long Fingerprint)
{
    /// <summary>The checkpoint partition that holds the position.</summary>
    public const int PositionPartition = 0;

    /// <summary>The checkpoint partition that holds the device.</summary>
    public const int DevicePartition = 1;

    /// <summary>The checkpoint partition that holds the inode.</summary>
    public const int InodePartition = 2;

    /// <summary>The checkpoint partition that holds the fingerprint's length.</summary>
    public const int FingerprintLengthPartition = 3;

    /// <summary>The checkpoint partition that holds the fingerprint's hash.</summary>
    public const int FingerprintHashPartition = 4;

    /// <summary>Gets a value indicating whether the checkpoint holds the file's identity (a checkpoint of an earlier version holds only the position).</summary>
    public bool HasIdentity { get; init; } = true;

    /// <summary>Reads a checkpoint saved by <see cref="ToPositions"/>.</summary>
    /// <param name="positions">The checkpoint's positions.</param>
    /// <returns>What it holds; <see langword="null"/> when it holds no position.</returns>
    public static FileCheckpointIdentity? FromPositions(IReadOnlyList<SourcePosition> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        long? position = null, device = null, inode = null, length = null, hash = null;
        foreach (var saved in positions)
        {
            switch (saved.Partition)
            {
                case PositionPartition: position ??= saved.Offset; break;
                case DevicePartition: device ??= saved.Offset; break;
                case InodePartition: inode ??= saved.Offset; break;
                case FingerprintLengthPartition: length ??= saved.Offset; break;
                case FingerprintHashPartition: hash ??= saved.Offset; break;
            }
        }

        if (position is not { } at)
        {
            return null;
        }

        var fingerprinted = length is > 0 and <= FileIdentity.FingerprintBytes && hash is not null;
        return new FileCheckpointIdentity(at, new FileIdentity(device ?? 0, inode ?? 0), fingerprinted ? (int)length!.Value : 0, fingerprinted ? hash!.Value : 0)
        {
            HasIdentity = device is not null || inode is not null,
        };
    }

    /// <summary>Gets the positions to save: the position, the identity, and the fingerprint when there is one.</summary>
    /// <returns>The checkpoint's positions.</returns>
    public IReadOnlyList<SourcePosition> ToPositions()
    {
        List<SourcePosition> saved =
        [
            new(PositionPartition, Position),
            new(DevicePartition, Identity.Device),
            new(InodePartition, Identity.Inode),
        ];
        if (FingerprintLength > 0)
        {
            saved.Add(new(FingerprintLengthPartition, FingerprintLength));
            saved.Add(new(FingerprintHashPartition, Fingerprint));
        }

        return saved;
    }

    /// <summary>
    /// Tells whether this checkpoint belongs to the open file <paramref name="handle"/>, in this order: another device and
    /// inode (both known) is <see cref="FileCheckpointMatch.AnotherFile"/>; a file shorter than the fingerprint, or than
    /// <paramref name="byteOffset"/>, is <see cref="FileCheckpointMatch.Truncated"/>; other first bytes are
    /// <see cref="FileCheckpointMatch.Rewritten"/>.
    /// </summary>
    /// <param name="handle">The file open now.</param>
    /// <param name="identity">Its identity (<see cref="FileIdentity.Of(SafeFileHandle)"/>).</param>
    /// <param name="byteOffset">Whether <see cref="Position"/> is a byte offset, so a file shorter than it was truncated.</param>
    /// <returns>The verdict; <see cref="FileCheckpointMatch.Unidentified"/> for a checkpoint without identity.</returns>
    public FileCheckpointMatch Check(SafeFileHandle handle, FileIdentity identity, bool byteOffset)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!HasIdentity)
        {
            return FileCheckpointMatch.Unidentified;
        }

        if (Identity.IsKnown && identity.IsKnown && Identity != identity)
        {
            return FileCheckpointMatch.AnotherFile;
        }

        var length = RandomAccess.GetLength(handle);
        if (FingerprintLength > length || (byteOffset && Position > length))
        {
            return FileCheckpointMatch.Truncated;
        }

        return FingerprintLength > 0 && FileIdentity.Fingerprint(handle, FingerprintLength) != Fingerprint
            ? FileCheckpointMatch.Rewritten
            : FileCheckpointMatch.Same;
    }
}

/// <summary>How a <see cref="FileCheckpointIdentity"/> relates to the file at its path now.</summary>
public enum FileCheckpointMatch
{
    /// <summary>The same file, as far as its identity and first bytes tell: resume at the position.</summary>
    Same,

    /// <summary>The checkpoint holds only a position (an earlier version's): the source decides by its own means.</summary>
    Unidentified,

    /// <summary>The path names another file (another device and inode): it was rotated or replaced.</summary>
    AnotherFile,

    /// <summary>The file is shorter than what was checkpointed: it was truncated.</summary>
    Truncated,

    /// <summary>The file's first bytes are not those checkpointed: it was replaced or rewritten in place.</summary>
    Rewritten,
}
