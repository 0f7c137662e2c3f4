using System.Diagnostics.CodeAnalysis;
using DataWeaver.Buffers;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Serialization;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// Writes records as JSON lines: each record is encoded by a serializer straight into a pooled buffer, a
/// line end appended, and the batch written to the file with one call. A batch is acknowledged once the
/// operating system has it (or the disk, with <see cref="JsonLinesSinkOptions.FlushToDisk"/>).
/// </summary>
/// <remarks>
/// <para>
/// The file is written through a <see cref="SafeFileWriter"/>, so no run destroys what existed before it. Without
/// <see cref="JsonLinesSinkOptions.Append"/> the run writes a hidden temporary file beside the target and renames it
/// over the target only when the run ends well (<see cref="FlushAsync"/>); a failed or aborted run leaves the old file
/// as it was. The output is locked for the run (a second run on it fails at once, naming the holder), its folder is
/// created when the run opens it (never when the pipeline is built or validated), and a file deleted or replaced
/// during the run fails the run before its source commits past what was lost.
/// </para>
/// <para>
/// Crash recovery: a process killed in the middle of a write can leave an incomplete last line. Such a line
/// was never acknowledged, so its record is read again after a restart; when the sink opens in
/// <see cref="JsonLinesSinkOptions.Append"/> mode it therefore cuts a last line that has no line end (see
/// <see cref="TruncatedBytes"/>). Do not append to a file whose last line was deliberately written without one.
/// </para>
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The pipeline opens and closes the sink once per run (OpenAsync, CloseAsync).")]
public sealed class JsonLinesSink<T> : SinkConnector<T>, IFileEndpoints
{
    private readonly IRecordSerializer<T> _serializer;
    // Kept from run to run: it grows to one batch's encoding (a batch of 4,096 ~100-byte records is ~400 KB), and
    // growing it again on every run would rent and copy its way up from 64 KiB each time.
    private PooledBufferWriter? _buffer;
    private SafeFileWriter? _file;

    /// <summary>Creates the sink. Touches no disk: the file is opened by <see cref="OpenAsync"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="serializer">Encodes each record as one JSON value, with no line end in it.</param>
    /// <param name="options">Append and durability; <see langword="null"/> uses the defaults.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses the file name.</param>
    public JsonLinesSink(string path, IRecordSerializer<T> serializer, JsonLinesSinkOptions? options = null, string? name = null)
        : base(name ?? Path.GetFileName(path))
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(serializer);
        FilePath = path;
        _serializer = serializer;
        Options = options ?? new JsonLinesSinkOptions();
    }

    /// <summary>Gets the file written.</summary>
    public string FilePath { get; }

    /// <summary>Gets the sink's options.</summary>
    public JsonLinesSinkOptions Options { get; }

    /// <summary>
    /// Gets how many bytes the last <see cref="OpenAsync"/> cut from the end of the file: an incomplete last
    /// line, left by a writer that crashed mid-write. Always 0 unless <see cref="JsonLinesSinkOptions.Append"/>.
    /// </summary>
    public long TruncatedBytes { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<FileEndpoint> FileEndpoints => [new(Path.GetFullPath(FilePath), Options.Append ? FileUse.Append : FileUse.Replace)];

    /// <summary>
    /// Opens the output (see <see cref="SafeFileWriter.Open"/>): creates its folder, locks it, and starts a temporary
    /// file, or with <see cref="JsonLinesSinkOptions.Append"/> appends to the file after cutting an incomplete last
    /// line (one with no line end).
    /// </summary>
    /// <param name="cancellationToken">Aborts the open.</param>
    /// <returns>A task that completes once the file is open.</returns>
    /// <exception cref="FileLockedException">Another run writes this file.</exception>
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var file = SafeFileWriter.Open(FilePath, new SafeFileWriterOptions
        {
            Append = Options.Append,
            RepairIncompleteLastLine = true,
            FlushToDisk = Options.FlushToDisk,
        });
        TruncatedBytes = file.TruncatedBytes;
        _buffer ??= new PooledBufferWriter();
        _file = file;
        return default;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        var file = _file ?? throw new InvalidOperationException($"Sink '{Name}' is not open.");
        var buffer = _buffer!;
        buffer.Clear();
        Encode(batch.Span, buffer);
        await file.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run ended well: publishes the file (renames the temporary file over the target, or flushes the appended one).</summary>
    /// <param name="cancellationToken">Unused: the commit is one flush and one rename.</param>
    /// <returns>A completed task.</returns>
    public override ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        _file?.Commit();
        return default;
    }

    /// <summary>Closes the file and releases its lock; a run that did not end well leaves the old file as it was.</summary>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A task that completes once closed.</returns>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_file is { } file)
        {
            _file = null;
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Encode(ReadOnlySpan<T> records, PooledBufferWriter buffer)
    {
        foreach (var record in records)
        {
            var start = buffer.WrittenCount;
            _serializer.Serialize(record, buffer);
            if (buffer.WrittenSpan[start..].Contains((byte)'\n'))
            {
                throw new DataWeaverException(ErrorClass.Data, $"Sink '{Name}': a {_serializer.Format} record encodes with a line end, which JSON lines cannot hold.");
            }

            buffer.Write((byte)'\n');
        }
    }
}

/// <summary>Factories for JSON-lines sinks.</summary>
public static class JsonLinesSink
{
    /// <summary>Creates a sink that writes each record's value bytes as a line, as read by a <see cref="JsonLinesSource"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="options">Append and durability.</param>
    /// <param name="name">The connector name.</param>
    /// <returns>The sink.</returns>
    public static JsonLinesSink<Record<ReadOnlyMemory<byte>>> Raw(string path, JsonLinesSinkOptions? options = null, string? name = null) =>
        new(path, RawValueSerializer.Instance, options, name);

    private sealed class RawValueSerializer : IRecordSerializer<Record<ReadOnlyMemory<byte>>>
    {
        public static readonly RawValueSerializer Instance = new();

        public string Format => "json";

        public void Serialize(in Record<ReadOnlyMemory<byte>> value, System.Buffers.IBufferWriter<byte> writer)
        {
            var span = value.Value.Span;
            span.CopyTo(writer.GetSpan(span.Length));
            writer.Advance(span.Length);
        }
    }
}
