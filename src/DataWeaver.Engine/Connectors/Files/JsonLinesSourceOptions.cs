using DataWeaver.Buffers;

namespace DataWeaver.Connectors.Files;

/// <summary>Options of a <see cref="JsonLinesSource"/>.</summary>
public sealed record JsonLinesSourceOptions
{
    /// <summary>Gets the size of each read buffer; lines are cut from it without copying.</summary>
    /// <value>The default is 64 KiB; from 4 KiB to 64 MiB.</value>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>Gets the longest accepted line in bytes; a longer one raises <see cref="Errors.RecordTooLargeException"/>.</summary>
    /// <value>The default is 1 MiB; from 1 byte to 1 GiB.</value>
    public int MaxRecordBytes { get; init; } = 1024 * 1024;

    /// <summary>Gets the byte offset to start reading from: a committed resume position.</summary>
    /// <value>The default is 0, the start of the file.</value>
    public long StartOffset { get; init; }

    /// <summary>Gets the pool read buffers come from.</summary>
    /// <value>The default is <see cref="PayloadPool.Shared"/>.</value>
    public PayloadPool Pool { get; init; } = PayloadPool.Shared;

    /// <summary>Gets the clock that stamps records with the time they were read.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (BufferSize is < 4096 or > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSize), BufferSize, "JsonLinesSourceOptions.BufferSize must be from 4 KiB to 64 MiB.");
        }

        if (MaxRecordBytes is < 1 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), MaxRecordBytes, "JsonLinesSourceOptions.MaxRecordBytes must be from 1 byte to 1 GiB.");
        }

        if (StartOffset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StartOffset), StartOffset, "JsonLinesSourceOptions.StartOffset must not be negative.");
        }
    }
}
