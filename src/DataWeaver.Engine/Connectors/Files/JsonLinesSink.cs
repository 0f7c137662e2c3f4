using System.Diagnostics.CodeAnalysis;
using DataWeaver.Buffers;
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
/// Crash recovery: a process killed in the middle of a write can leave an incomplete last line. Such a line
/// was never acknowledged, so its record is read again after a restart; when the sink opens in
/// <see cref="JsonLinesSinkOptions.Append"/> mode it therefore cuts a last line that has no line end (see
/// <see cref="TruncatedBytes"/>). Do not append to a file whose last line was deliberately written without one.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The pipeline opens and closes the sink once per run (OpenAsync, CloseAsync).")]
public sealed class JsonLinesSink<T> : SinkConnector<T>
{
    private readonly IRecordSerializer<T> _serializer;
    private PooledBufferWriter _buffer = null!;
    private FileStream? _file;

    /// <summary>Creates the sink.</summary>
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

    /// <summary>
    /// Opens the file: replaces it, or with <see cref="JsonLinesSinkOptions.Append"/> appends to it after cutting
    /// an incomplete last line (one with no line end).
    /// </summary>
    /// <param name="cancellationToken">Aborts the open.</param>
    /// <returns>A task that completes once the file is open.</returns>
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        TruncatedBytes = Options.Append ? TruncateIncompleteLastLine() : 0;
        _buffer = new PooledBufferWriter();
        _file = new FileStream(FilePath, Options.Append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        return default;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        var file = _file ?? throw new InvalidOperationException($"Sink '{Name}' is not open.");
        _buffer.Clear();
        Encode(batch.Span);
        await file.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (Options.FlushToDisk)
        {
            file.Flush(flushToDisk: true);
        }
    }

    /// <inheritdoc />
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_file is { } file)
        {
            _file = null;
            await file.DisposeAsync().ConfigureAwait(false);
            _buffer.Dispose();
        }
    }

    /// <summary>Cuts the file after its last line end; returns how many bytes were cut.</summary>
    private long TruncateIncompleteLastLine()
    {
        if (!File.Exists(FilePath))
        {
            return 0;
        }

        using var file = new FileStream(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var length = file.Length;
        var chunk = new byte[(int)Math.Min(length, 64 * 1024)];
        var end = length;
        while (end > 0)
        {
            var size = (int)Math.Min(end, chunk.Length);
            file.Position = end - size;
            file.ReadExactly(chunk, 0, size);
            var newline = chunk.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                end = end - size + newline + 1;
                break;
            }

            end -= size;
        }

        if (end == length)
        {
            return 0;
        }

        file.SetLength(end);
        file.Flush(flushToDisk: Options.FlushToDisk);
        return length - end;
    }

    private void Encode(ReadOnlySpan<T> records)
    {
        foreach (var record in records)
        {
            var start = _buffer.WrittenCount;
            _serializer.Serialize(record, _buffer);
            if (_buffer.WrittenSpan[start..].Contains((byte)'\n'))
            {
                throw new DataWeaverException(ErrorClass.Data, $"Sink '{Name}': a {_serializer.Format} record encodes with a line end, which JSON lines cannot hold.");
            }

            _buffer.Write((byte)'\n');
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
