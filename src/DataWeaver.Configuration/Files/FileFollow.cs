using DataWeaver.Connectors.Files;
using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Configuration.Files;

/// <summary>Why the following of a file ended.</summary>
internal enum FollowEnd
{
    /// <summary>It did not end (or the file is not followed).</summary>
    None,

    /// <summary>The file is shorter than what was read, or its first bytes changed: it is read again from its start.</summary>
    Truncated,

    /// <summary>The path names another file now (log rotation): the old file was read to its end, the new one follows.</summary>
    Rotated,

    /// <summary>A newer file of the folder or pattern is to be read: the old file was read to its end.</summary>
    NewerFile,
}

/// <summary>
/// Follows one open file (<see cref="FileSourceOptions.Follow"/>): at its end, waits <see cref="FileSourceOptions.PollInterval"/>
/// on the options' clock and looks again, until the file grows, is truncated or rewritten (its length or first bytes), is
/// rotated (the path names another file: by identity, not by length) or a newer file is to be read. A rotation or a newer
/// file ends the follow only after one more interval without growth, so the writer can finish with the old file.
/// Also keeps the fingerprint of the file's first bytes that checkpoints store, growing it as the file grows.
/// </summary>
internal sealed class FileFollow
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly FileIdentity _identity;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _clock;
    private readonly Func<(bool Newer, bool AtOnce)> _newerFile;
    private readonly CancellationToken _stopping;
    private readonly Lock _lock = new();
    private int _fingerprintLength;
    private long _fingerprint;
    private bool _endSeen;

    /// <summary>Creates the follow of an open file.</summary>
    /// <param name="handle">The open file.</param>
    /// <param name="path">The path it was opened by, looked at for rotation.</param>
    /// <param name="identity">The open file's identity.</param>
    /// <param name="fingerprintLength">How many first bytes <paramref name="fingerprint"/> covers.</param>
    /// <param name="fingerprint">The hash of the first bytes when the file was opened.</param>
    /// <param name="options">The poll interval and clock; <see langword="null"/> when the file is not followed (the fingerprint only).</param>
    /// <param name="newerFile">Tells whether a newer file is to be read after this one, and whether at once (it was listed before, so the writer is done with this one).</param>
    /// <param name="stopping">Signalled when the source stops reading.</param>
    public FileFollow(SafeFileHandle handle, string path, FileIdentity identity, int fingerprintLength, long fingerprint, FileSourceOptions? options, Func<(bool Newer, bool AtOnce)> newerFile, CancellationToken stopping)
    {
        _handle = handle;
        _path = path;
        _identity = identity;
        _fingerprintLength = fingerprintLength;
        _fingerprint = fingerprint;
        _pollInterval = options?.PollInterval ?? TimeSpan.Zero;
        _clock = options?.TimeProvider ?? TimeProvider.System;
        IsFollowing = options is not null;
        _newerFile = newerFile;
        _stopping = stopping;
    }

    /// <summary>Gets a value indicating whether reads at the end of the file wait for more.</summary>
    public bool IsFollowing { get; }

    /// <summary>Gets why the follow ended; <see cref="FollowEnd.None"/> while it goes on.</summary>
    public FollowEnd Ended { get; private set; }

    /// <summary>Gets the fingerprint of the file's first bytes to store in checkpoints (grown as the file was read).</summary>
    public (int Length, long Hash) Fingerprint
    {
        get
        {
            lock (_lock)
            {
                return (_fingerprintLength, _fingerprint);
            }
        }
    }

    /// <summary>Ends the follow as <see cref="FollowEnd.Truncated"/>: no record ends at the last position any more.</summary>
    public void MarkTruncated() => Ended = FollowEnd.Truncated;

    /// <summary>Tells that bytes were read: a rotation or newer file seen before waits one interval again.</summary>
    public void Read() => _endSeen = false;

    /// <summary>
    /// At the end of the file (<paramref name="position"/> bytes read): waits and returns <see langword="true"/> to read
    /// again, or returns <see langword="false"/> with <see cref="Ended"/> set.
    /// </summary>
    /// <param name="position">How many bytes of the file were read.</param>
    /// <param name="cancellationToken">Aborts the wait.</param>
    /// <returns>Whether to read again.</returns>
    public async ValueTask<bool> WaitAsync(long position, CancellationToken cancellationToken)
    {
        var length = RandomAccess.GetLength(_handle);
        if (length < position || !FirstBytesKept(position))
        {
            Ended = FollowEnd.Truncated;
            return false;
        }

        if (length > position)
        {
            return true; // it grew since the read
        }

        var rotated = FileIdentity.Of(_path) is { IsKnown: true } now && _identity.IsKnown && now != _identity;
        var (newer, atOnce) = rotated ? (false, false) : _newerFile();
        var end = rotated ? FollowEnd.Rotated : newer ? FollowEnd.NewerFile : FollowEnd.None;
        if (end != FollowEnd.None && (_endSeen || atOnce))
        {
            Ended = end;
            return false;
        }

        _endSeen = end != FollowEnd.None;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        await Task.Delay(_pollInterval, _clock, both.Token).ConfigureAwait(false);
        return true;
    }

    /// <summary>Checks that the first bytes are those fingerprinted, and fingerprints more of them when more were read.</summary>
    private bool FirstBytesKept(long position)
    {
        lock (_lock)
        {
            if (_fingerprintLength > 0 && FileIdentity.Fingerprint(_handle, _fingerprintLength) != _fingerprint)
            {
                return false;
            }

            var length = (int)Math.Min(position, FileIdentity.FingerprintBytes);
            if (length > _fingerprintLength && FileIdentity.Fingerprint(_handle, length) is { } hash)
            {
                _fingerprintLength = length;
                _fingerprint = hash;
            }

            return true;
        }
    }
}
