using DataWeaver.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>
/// One item a <see cref="RecordFileReader"/> read: a record, or the bytes of a record it could not decode with the error
/// that names where it is.
/// </summary>
/// <param name="Record">The record; default when <paramref name="Error"/> is set.</param>
/// <param name="Position">Where the item starts, in the format's positions (a byte offset, a record ordinal).</param>
/// <param name="ResumePosition">Where reading resumes after the item.</param>
/// <param name="Bytes">The item's size in bytes, counted against byte capacities; 0 when unknown.</param>
/// <param name="Payload">The pooled buffer <paramref name="Record"/> borrows its bytes from, if any (the batch takes a reference).</param>
/// <param name="Error">Why the item could not be decoded (a data error naming the file and position), or <see langword="null"/>.</param>
/// <param name="Raw">The original bytes of an undecodable item, for its dead letter.</param>
public readonly record struct RecordFileItem(
    JsonRecord Record,
    long Position,
    long ResumePosition,
    int Bytes,
    PayloadBuffer? Payload,
    Exception? Error,
    ReadOnlyMemory<byte> Raw)
{
    /// <summary>Creates an item for a decoded record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="position">Where it starts.</param>
    /// <param name="resumePosition">Where reading resumes after it.</param>
    /// <param name="bytes">Its size in bytes.</param>
    /// <param name="payload">The pooled buffer it borrows from, or <see langword="null"/>.</param>
    /// <returns>The item.</returns>
    public static RecordFileItem Ok(JsonRecord record, long position, long resumePosition, int bytes, PayloadBuffer? payload = null) =>
        new(record, position, resumePosition, bytes, payload, null, default);

    /// <summary>Creates an item for bytes that are not a record of the format.</summary>
    /// <param name="error">Why, naming the file and position.</param>
    /// <param name="position">Where the bad bytes start.</param>
    /// <param name="resumePosition">Where reading resumes after them.</param>
    /// <param name="raw">The original bytes (copied by the source).</param>
    /// <returns>The item.</returns>
    public static RecordFileItem Bad(Exception error, long position, long resumePosition, ReadOnlyMemory<byte> raw) =>
        new(default, position, resumePosition, raw.Length, null, error, raw);
}
