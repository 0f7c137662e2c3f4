using DataWeaver.Configuration.Formats;

namespace DataWeaver.Sftp;

/// <summary>Options of an <see cref="SftpSink"/>.</summary>
public sealed record SftpSinkOptions
{
    /// <summary>Gets the server, the credentials and the host key check.</summary>
    /// <value>Required.</value>
    public required SftpConnectionOptions Connection { get; init; }

    /// <summary>Gets the layout of the records in the file: any format of the <c>file</c> sink (json, text, csv, avro, protobuf).</summary>
    /// <value>Required.</value>
    public required RecordFileFormat Format { get; init; }

    /// <summary>
    /// Gets a value indicating whether records are appended to the remote file. Before the first write a torn last record
    /// (left by a writer killed mid-write) is cut back to the last line end, in line formats. Otherwise the run writes a
    /// temporary file beside the target (<c>.name.dw-tmp-PID</c>) and renames it over the target only when the run
    /// completes successfully: a failed run leaves the old file as it was.
    /// </summary>
    /// <value>The default is <see langword="false"/>. A pipeline whose source resumes from a checkpoint must append.</value>
    public bool Append { get; init; }

    /// <summary>Gets the clock that times reconnection delays.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
