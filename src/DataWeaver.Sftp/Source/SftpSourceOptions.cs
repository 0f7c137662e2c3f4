using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Formats;

namespace DataWeaver.Sftp;

/// <summary>Options of an <see cref="SftpSource"/>.</summary>
public sealed record SftpSourceOptions
{
    /// <summary>Gets the server, the credentials and the host key check.</summary>
    /// <value>Required.</value>
    public required SftpConnectionOptions Connection { get; init; }

    /// <summary>Gets the layout of the records in the files: any format of the <c>file</c> source (json, text, csv, avro, protobuf).</summary>
    /// <value>Required.</value>
    public required RecordFileFormat Format { get; init; }

    /// <summary>
    /// Gets where the source keeps one checkpoint per remote file: the position up to which every record was acknowledged,
    /// with the size and a hash of the file's first 4 KiB so that a file replaced, rotated or truncated since is read from
    /// its start (with a notice) instead of being resumed at a position of another file.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no checkpoints; every run reads every file from its start.</value>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets the prefix of the checkpoint keys; each file's key adds a hash of the server and the file's full path (never the path itself).</summary>
    /// <value>The default is <c>sftp:</c>.</value>
    public string CheckpointKeyPrefix { get; init; } = "sftp:";

    /// <summary>
    /// Gets a value indicating whether bytes at the end of a file that are not a complete record (a last line without its
    /// line end) are read as a final record. Never set it for files that may still be written.
    /// </summary>
    /// <value>The default is <see langword="false"/>: such bytes are neither read nor committed; a later run reads the record once it is complete.</value>
    public bool ReadUnterminatedLastLine { get; init; }

    /// <summary>Gets what is told of each notice (an unterminated tail left unread, a file read again from its start, a reconnection). MUST NOT block or throw.</summary>
    /// <value>The default is <see langword="null"/>: notices are only kept in <see cref="SftpSource.Notices"/>.</value>
    public Action<string>? OnNotice { get; init; }

    /// <summary>Gets the clock that times reconnection delays.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
